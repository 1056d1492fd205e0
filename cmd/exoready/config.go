package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// scanConfig is scan.yaml: everything a scheduled run needs. Secrets never
// live here: only paths of files that hold them, or environment variables.
type scanConfig struct {
	Out       string         `yaml:"out"`
	Formats   []string       `yaml:"formats"`
	FailOn    string         `yaml:"fail_on"`
	Policies  []string       `yaml:"policies"`
	Params    map[string]any `yaml:"params"`
	Waivers   waiversSetting `yaml:"waivers"` // a file path or the list itself (waivers.go)
	Baseline  string         `yaml:"baseline"`
	FailOnNew bool           `yaml:"fail_on_new"` // gate only on findings new since the baseline
	SignKey   string         `yaml:"sign_key"`    // Ed25519 key file that signs manifest.json
	Facts     string         `yaml:"facts"`
	AD        adConfig       `yaml:"ad"`
	EXO       exoConfig      `yaml:"exo"`
	Plan      planConfig     `yaml:"plan"` // preferences of exoready plan (cmd_plan.go)
	// PolicyVerificationKey is the public key file --policy bundles must be signed with.
	PolicyVerificationKey string `yaml:"policy_verification_key"`

	path string // the file it was read from, for messages and hashes
}

// adConfig is the AD source.
type adConfig struct {
	LDAPURL            string   `yaml:"ldap_url"`
	StartTLS           bool     `yaml:"start_tls"`
	BindDN             string   `yaml:"bind_dn"`
	PasswordFile       string   `yaml:"password_file"`
	CAFile             string   `yaml:"ca_file"`
	InsecureSkipVerify bool     `yaml:"insecure_skip_verify"`
	BaseDN             string   `yaml:"base_dn"`
	ConfigDN           string   `yaml:"config_dn"`
	LDIF               []string `yaml:"ldif"`
}

// exoConfig is the Exchange Online / Entra source.
type exoConfig struct {
	Export           string `yaml:"export"`
	Tenant           string `yaml:"tenant"`
	ClientID         string `yaml:"client_id"`
	CertFile         string `yaml:"cert_file"`
	CertPasswordFile string `yaml:"cert_password_file"`
	EXOBaseURL       string `yaml:"exo_base_url"`
	GraphBaseURL     string `yaml:"graph_base_url"`
	AuthorityHost    string `yaml:"authority_host"`
}

// loadConfig reads scan.yaml strictly: an unknown key is an error with its
// line, so a typo never silently drops a setting. Relative paths are
// resolved against the file's folder.
func loadConfig(path string) (*scanConfig, error) {
	cfg := &scanConfig{}
	if path == "" {
		return cfg, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("read config: %v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, usageErrorf("%s: %v", path, err)
	}
	cfg.path = path
	dir := filepath.Dir(path)
	rel := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for _, p := range []*string{&cfg.Out, &cfg.Waivers.Path, &cfg.Baseline, &cfg.SignKey, &cfg.Facts, &cfg.AD.PasswordFile, &cfg.AD.CAFile,
		&cfg.PolicyVerificationKey, &cfg.EXO.Export, &cfg.EXO.CertFile, &cfg.EXO.CertPasswordFile} {
		rel(p)
	}
	for i := range cfg.Policies {
		rel(&cfg.Policies[i])
	}
	for i := range cfg.AD.LDIF {
		rel(&cfg.AD.LDIF[i])
	}
	if cfg.FailOn != "" {
		if _, err := failOnRank(cfg.FailOn); err != nil {
			return nil, usageErrorf("%s: fail_on: %v", path, err)
		}
	}
	return cfg, nil
}

func (c *scanConfig) String() string { return fmt.Sprintf("scan config %s", c.path) }
