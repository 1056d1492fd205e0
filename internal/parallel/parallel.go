package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Ranges calls fn on consecutive ranges [lo, hi) of at most chunk indexes
// covering [0, n), on as many goroutines as there are processors (one when
// n fits in one chunk), and returns when all calls have returned. fn must
// be safe to call concurrently on different ranges.
func Ranges(n, chunk int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	chunk = max(chunk, 1)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk) {
		wg.Go(func() {
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n))
			}
		})
	}
	wg.Wait()
}
