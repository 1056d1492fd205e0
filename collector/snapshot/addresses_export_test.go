package snapshot

import "fmt"

// FoldHashCollision returns two addresses that differ lower-cased and
// share a foldHash, found by trying addresses until two hashes meet.
func FoldHashCollision() (string, string) {
	seen := map[uint32]string{}
	for i := 0; ; i++ {
		s := fmt.Sprintf("smtp:user%d@corp.example.test", i)
		h := foldHash(s)
		if o, ok := seen[h]; ok {
			return o, s
		}
		seen[h] = s
	}
}
