package policies

import (
	"embed"
	"fmt"
	"io/fs"

	"gopkg.in/yaml.v3"
)

// Version is the policy pack version, bumped with every change to a rule's
// logic, metadata or default parameters.
const Version = "2026.11.2"

//go:embed lib sync mailbox dependency governance writeback params.yaml
var files embed.FS

// FS returns the embedded policy pack (.rego files, tests included).
func FS() fs.FS { return files }

// Params returns the default policy parameters (data.exoready.params).
func Params() (map[string]any, error) {
	raw, err := files.ReadFile("params.yaml")
	if err != nil {
		return nil, err
	}
	var p map[string]any
	if err := yaml.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("policies/params.yaml: %w", err)
	}
	return p, nil
}

// ParamsYAML returns params.yaml as shipped, comments included, for docs.
func ParamsYAML() []byte {
	raw, _ := files.ReadFile("params.yaml")
	return raw
}
