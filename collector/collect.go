package collector

import (
	"fmt"
	"time"

	"github.com/exoready/exoready/collector/snapshot"
)

// Parts are the sections collected in one run, with their status. A nil
// section was not collected.
type Parts struct {
	CollectedAt time.Time
	AD          *snapshot.AD
	ADStatus    snapshot.SourceStatus
	EXO         *snapshot.EXO
	EXOStatus   snapshot.SourceStatus
	Entra       *snapshot.Entra
	EntraStatus snapshot.SourceStatus
	Facts       *snapshot.Facts
	FactsStatus snapshot.SourceStatus
}

// Build assembles a snapshot from collected parts and computes the joined view.
func Build(p Parts) *snapshot.Snapshot {
	s := &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion,
		CollectedAt:   p.CollectedAt.UTC().Truncate(time.Second),
		AD:            p.AD,
		EXO:           p.EXO,
		Entra:         p.Entra,
		Facts:         p.Facts,
	}
	s.Sources.AD = normalizeStatus(p.ADStatus)
	s.Sources.EXO = normalizeStatus(p.EXOStatus)
	s.Sources.Entra = normalizeStatus(p.EntraStatus)
	s.Sources.Facts = normalizeStatus(p.FactsStatus)
	snapshot.Join(s)
	return s
}

// normalizeStatus keeps lists non-nil (stable JSON) and Complete honest.
func normalizeStatus(st snapshot.SourceStatus) snapshot.SourceStatus {
	if st.Files == nil {
		st.Files = []snapshot.InputFile{}
	}
	if st.Errors == nil {
		st.Errors = []snapshot.SourceError{}
	}
	if len(st.Errors) > 0 || !st.Collected {
		st.Complete = false
	}
	return st
}

// Merge combines snapshot parts written by separate `collect` runs (for
// example ad.json and exo.json) into one snapshot. A source collected in
// two parts is an error; the newest collected_at wins; the join is redone.
func Merge(parts ...*snapshot.Snapshot) (*snapshot.Snapshot, error) {
	if len(parts) == 1 {
		return parts[0], nil
	}
	var p Parts
	taken := map[string]int{}
	take := func(name string, i int, collected bool) (bool, error) {
		if !collected {
			return false, nil
		}
		if j, dup := taken[name]; dup {
			return false, fmt.Errorf("%w: source %s is in snapshot parts %d and %d; give each source once", snapshot.ErrSnapshot, name, j+1, i+1)
		}
		taken[name] = i
		return true, nil
	}
	for i, s := range parts {
		if s.CollectedAt.After(p.CollectedAt) {
			p.CollectedAt = s.CollectedAt
		}
		if ok, err := take("ad", i, s.Sources.AD.Collected); err != nil {
			return nil, err
		} else if ok {
			p.AD, p.ADStatus = s.AD, s.Sources.AD
		}
		if ok, err := take("exo", i, s.Sources.EXO.Collected); err != nil {
			return nil, err
		} else if ok {
			p.EXO, p.EXOStatus = s.EXO, s.Sources.EXO
		}
		if ok, err := take("entra", i, s.Sources.Entra.Collected); err != nil {
			return nil, err
		} else if ok {
			p.Entra, p.EntraStatus = s.Entra, s.Sources.Entra
		}
		if ok, err := take("facts", i, s.Sources.Facts.Collected); err != nil {
			return nil, err
		} else if ok {
			p.Facts, p.FactsStatus = s.Facts, s.Sources.Facts
		}
	}
	return Build(p), nil
}
