package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadConfig feeds arbitrary scan.yaml files to loadConfig: no panic,
// every refusal is a usage error naming the file, and relative paths of an
// accepted file are resolved against its folder.
func FuzzLoadConfig(f *testing.F) {
	for _, s := range []string{"", "out: reports\nformats: [json, xlsx]\nfail_on: high\npolicies: [extra]\nparams:\n  max_toggle_principals: 3\nfacts: facts.yaml\n" +
		"ad:\n  ldap_url: ldaps://dc01.corp.example.test:636\n  bind_dn: svc@corp.example.test\n  password_file: pw.txt\n  ldif: [a.ldif, /abs/b.ldif]\n" +
		"exo:\n  export: export\n  cert_password_file: pfx.txt\n",
		"formatz: [json]\n", "fail_on: urgent\n", "out: [1]\n", "params: [1]\n", "ad: {ldif: x}\n", "out: a\nout: b\n", "&a [*a]\n", "- 1\n", "\t\n", "{{{{\n"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "scan.yaml")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(p)
		if err != nil {
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), p) {
				t.Fatalf("refusal is not a usage error naming the file: %v", err)
			}
			return
		}
		for _, q := range append([]string{cfg.Out, cfg.Facts, cfg.AD.PasswordFile, cfg.EXO.Export}, cfg.AD.LDIF...) {
			if q != "" && !filepath.IsAbs(q) && !strings.HasPrefix(q, dir) {
				t.Fatalf("relative path %q not resolved against %s", q, dir)
			}
		}
	})
}
