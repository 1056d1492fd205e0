package facts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/exoready/exoready/collector/snapshot"
)

// ErrFacts marks a facts file that cannot be used; main maps it to the
// usage/config exit code.
var ErrFacts = errors.New("invalid facts file")

// version is a four-part product version like 2.5.190.0.
var version = regexp.MustCompile(`^\d{1,5}\.\d{1,5}\.\d{1,6}\.\d{1,6}$`)

// ReadFile reads and validates a facts file. The status lists the file with
// its hash; Origin is the path as given.
func ReadFile(path string) (*snapshot.Facts, snapshot.SourceStatus, error) {
	st := snapshot.SourceStatus{Collected: true, Method: "file", Origin: path,
		Files: []snapshot.InputFile{}, Errors: []snapshot.SourceError{}}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, st, fmt.Errorf("%w: %w", ErrFacts, err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, st, fmt.Errorf("%w: %s: %w", ErrFacts, path, err)
	}
	sum := sha256.Sum256(data)
	st.Files = append(st.Files, snapshot.InputFile{Path: filepath.Base(path), SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data))})
	st.Complete = true
	return f, st, nil
}

// Parse decodes and validates facts YAML. An empty document gives empty
// facts (every rule that needs one reports it as not given).
func Parse(data []byte) (*snapshot.Facts, error) {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}) // PowerShell 5.1 writes a BOM
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, errors.New("the file is UTF-16: save it as UTF-8 (scripts/Get-EntraConnectFacts.ps1 does)")
	}
	var f snapshot.Facts
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	line := func(keys ...string) int { return lineOf(&root, keys...) }
	if c := f.EntraConnect; c != nil {
		if c.Version != "" && !version.MatchString(c.Version) {
			return nil, fmt.Errorf("line %d: entra_connect.version %q is not a version like 2.5.190.0 (Microsoft.Synchronize.ServerConfigurationVersion)", line("entra_connect", "version"), c.Version)
		}
		if c.SyncIntervalMinutes < 0 || c.SyncIntervalMinutes > 7*24*60 {
			return nil, fmt.Errorf("line %d: entra_connect.sync_interval_minutes %d is not between 1 and 10080 (Get-ADSyncScheduler's CurrentlyEffectiveSyncCycleInterval, in minutes)", line("entra_connect", "sync_interval_minutes"), c.SyncIntervalMinutes)
		}
		if c.SyncIntervalMinutes == 0 && hasKey(&root, "entra_connect", "sync_interval_minutes") {
			return nil, fmt.Errorf("line %d: entra_connect.sync_interval_minutes must be at least 1 (leave the key out when unknown)", line("entra_connect", "sync_interval_minutes"))
		}
	}
	if c := f.CloudSync; c != nil && c.AgentVersion != "" && !version.MatchString(c.AgentVersion) {
		return nil, fmt.Errorf("line %d: cloud_sync.agent_version %q is not a version like 1.1.1107.0 (leave it empty when no agent is installed)", line("cloud_sync", "agent_version"), c.AgentVersion)
	}
	return &f, nil
}

// lookup returns the value node at a key path of a YAML document.
func lookup(root *yaml.Node, keys ...string) (*yaml.Node, *yaml.Node) {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var key *yaml.Node
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			return nil, nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				key, next = n.Content[i], n.Content[i+1]
			}
		}
		if next == nil {
			return nil, nil
		}
		n = next
	}
	return key, n
}

func lineOf(root *yaml.Node, keys ...string) int {
	if k, _ := lookup(root, keys...); k != nil {
		return k.Line
	}
	return 0
}

func hasKey(root *yaml.Node, keys ...string) bool {
	k, _ := lookup(root, keys...)
	return k != nil
}
