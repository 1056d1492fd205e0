package evaluate_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/exoready/exoready/evaluate"
)

const bundleRule = `# METADATA
# title: Room mailboxes are cloud-managed first
# description: Test rule shipped in a bundle.
# related_resources:
#   - ref: https://learn.microsoft.com/powershell/module/exchange/set-mailbox
# custom:
#   id: ACME-MBX-001
#   severity: low
#   category: mailbox
#   requires: [exo.mailboxes]
#   remediation: Set-Mailbox -IsExchangeCloudManaged $true
package acme.rooms

import data.exoready.lib

rooms := [m | some m in input.exo.mailboxes; m.recipient_type_details == "RoomMailbox"]

checked := count(rooms)

deny contains {"msg": sprintf("room %s is not cloud-managed", [m.display_name]), "object": lib.mailbox_object(m)} if {
	some m in rooms
	not lib.is_cloud_managed(m)
}
`

const bundleRuleTest = `package acme.rooms_test

import data.acme.rooms

test_room_fails if {
	count(rooms.deny) == 1 with input as {"exo": {"mailboxes": [{"recipient_type_details": "RoomMailbox", "display_name": "R", "guid": "g", "external_directory_object_id": "", "identity": "R", "is_exchange_cloud_managed": false}]}}
}
`

// writeBundle writes an OPA bundle (as opa build would) with the given
// .rego files, signed with key when it is set.
func writeBundle(t *testing.T, files map[string]string, data map[string]any, sign func(*bundle.Bundle)) string {
	t.Helper()
	b := bundle.Bundle{Data: data}
	if b.Data == nil {
		b.Data = map[string]any{}
	}
	for name, src := range files {
		b.Modules = append(b.Modules, bundle.ModuleFile{URL: "/" + name, Path: "/" + name, Raw: []byte(src)})
	}
	if sign != nil {
		sign(&b)
	}
	p := filepath.Join(t.TempDir(), "policies.tar.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := bundle.NewWriter(f).Write(b); err != nil {
		t.Fatal(err)
	}
	return p
}

func rsaKey(t *testing.T) (private, public string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
}

func signer(t *testing.T, private string) func(*bundle.Bundle) {
	return func(b *bundle.Bundle) {
		if err := b.GenerateSignature(bundle.NewSigningConfig(private, "RS256", ""), "default", false); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBundleRulesLoadLikeFolders(t *testing.T) {
	p := writeBundle(t, map[string]string{"acme/rooms.rego": bundleRule, "acme/rooms_test.rego": bundleRuleTest}, nil, nil)
	src, err := evaluate.SourceFor(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, src)
	var got *evaluate.RuleMeta
	for _, r := range e.Rules() {
		if r.ID == "ACME-MBX-001" {
			got = &r
		}
	}
	if got == nil || got.File != filepath.ToSlash(p)+"/acme/rooms.rego" {
		t.Fatalf("bundle rule not loaded: %+v", got)
	}
	o := embeddedOptions(t)
	o.Sources = append(o.Sources, src)
	results, err := evaluate.RunTests(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	for _, r := range results {
		if r.Package == "data.acme.rooms_test" {
			ran = r.Pass
		}
	}
	if !ran {
		t.Error("the bundle's _test.rego did not run and pass")
	}
}

func TestBundleSignatures(t *testing.T) {
	private, public := rsaKey(t)
	otherPrivate, _ := rsaKey(t)
	rule := map[string]string{"acme/rooms.rego": bundleRule}
	verify := &evaluate.BundleVerification{Key: public}

	if _, err := evaluate.SourceFor(writeBundle(t, rule, nil, signer(t, private)), verify); err != nil {
		t.Fatalf("signed bundle refused: %v", err)
	}
	cases := []struct {
		name   string
		path   string
		verify *evaluate.BundleVerification
		want   string
	}{
		{"unsigned but a key is given", writeBundle(t, rule, nil, nil), verify, "missing .signatures.json"},
		{"signed by another key", writeBundle(t, rule, nil, signer(t, otherPrivate)), verify, "verification"},
		{"signed but no key given", writeBundle(t, rule, nil, signer(t, private)), nil, "give --policy-verification-key"},
		{"tampered after signing", writeBundle(t, rule, nil, func(b *bundle.Bundle) {
			signer(t, private)(b)
			b.Modules[0].Raw = []byte(strings.Replace(bundleRule, "severity: low", "severity: info", 1))
		}), verify, "digest mismatch"},
		{"carries data", writeBundle(t, rule, map[string]any{"exoready": map[string]any{"params": map[string]any{"x": 1}}}, nil), nil, "the bundle carries data (exoready)"},
		{"rule without metadata", writeBundle(t, map[string]string{"x.rego": "package x\n\nchecked := 0\n\ndeny contains {\"msg\": \"m\"} if false\n"}, nil, nil), nil, "has no package-scoped METADATA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := evaluate.SourceFor(tc.path, tc.verify)
			if err == nil {
				_, err = evaluate.New(t.Context(), func() evaluate.Options {
					o := embeddedOptions(t)
					o.Sources = append(o.Sources, src)
					return o
				}())
			}
			if !errors.Is(err, evaluate.ErrPolicy) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrPolicy containing %q", err, tc.want)
			}
		})
	}
}

func TestSourceForRefusesOtherFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rules.zip")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := evaluate.SourceFor(p, nil); !errors.Is(err, evaluate.ErrPolicy) || !strings.Contains(err.Error(), "neither a folder nor an OPA bundle") {
		t.Fatalf("got %v", err)
	}
}
