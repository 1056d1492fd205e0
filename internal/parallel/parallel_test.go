package parallel

import (
	"sync/atomic"
	"testing"
)

// Every index is visited exactly once, whatever n and chunk.
func TestRangesCoverEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 5, 1000, 4097} {
		for _, chunk := range []int{0, 1, 7, 4096, 10000} {
			seen := make([]atomic.Int32, n)
			Ranges(n, chunk, func(lo, hi int) {
				if lo >= hi || hi > n {
					t.Errorf("n %d chunk %d: range [%d, %d)", n, chunk, lo, hi)
				}
				for i := lo; i < hi; i++ {
					seen[i].Add(1)
				}
			})
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("n %d chunk %d: index %d visited %d times", n, chunk, i, c)
				}
			}
		}
	}
}
