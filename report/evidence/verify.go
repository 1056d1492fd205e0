package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/fileio"
)

// Check outcomes. Only CheckFailed makes verification fail: a file that is
// not at hand cannot be checked, and an input found at its recorded path
// may have been replaced since by design (tonight's export over last
// night's); Verify reports both without failing. Inputs an auditor hands
// over with InputsDir must match.
const (
	CheckOK      = "ok"
	CheckFailed  = "FAILED"
	CheckMissing = "not at hand"
	CheckChanged = "changed since"
	CheckSkipped = "not checked"
)

// Check is one thing Verify looked at.
type Check struct {
	Status string `json:"status"`
	Item   string `json:"item"`
	Detail string `json:"detail"`
}

// Result lists every check in the order made.
type Result struct {
	Checks []Check `json:"checks"`
	// Authenticated is true when the manifest's signature matched the
	// trusted public key.
	Authenticated bool `json:"authenticated"`
	// KeyID is the trusted key's id when one was given.
	KeyID string `json:"key_id,omitempty"`
}

// Count returns how many checks ended with status.
func (r *Result) Count(status string) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == status {
			n++
		}
	}
	return n
}

// OK tells whether nothing failed.
func (r *Result) OK() bool { return r.Count(CheckFailed) == 0 }

func (r *Result) add(status, item, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Status: status, Item: item, Detail: fmt.Sprintf(format, args...)})
}

// VerifyOptions say what to verify.
type VerifyOptions struct {
	// Findings is the findings.json to verify.
	Findings string
	// Manifest defaults to manifest.json beside Findings, Signature to the
	// manifest's path + ".sig".
	Manifest, Signature string
	// PublicKey is the trusted key; nil leaves the signature unchecked (the
	// hashes then show consistency, not who wrote the files).
	PublicKey ed25519.PublicKey
	// InputsDir is where an auditor put the scan's input files; without it
	// inputs are looked for at the paths recorded.
	InputsDir string
	// PolicyPack checks the policy pack a report names against the
	// policies at hand, returning a Check status and detail; nil skips it.
	PolicyPack func(*evaluate.Report) (status, detail string)
}

// Verify checks a findings file against its manifest and signature, and
// the hashes of every file both record that is at hand. It returns an
// error only when findings.json itself cannot be read; tampering shows as
// failed checks.
func Verify(o VerifyOptions) (*Result, error) {
	res := &Result{Checks: []Check{}}
	findings, err := os.ReadFile(o.Findings)
	if err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	if o.Manifest == "" {
		o.Manifest = filepath.Join(filepath.Dir(o.Findings), ManifestName)
	}
	if o.Signature == "" {
		o.Signature = o.Manifest + ".sig"
	}
	if o.PublicKey != nil {
		res.KeyID = KeyID(o.PublicKey)
	}

	manifestData, err := os.ReadFile(o.Manifest)
	if err != nil {
		res.add(CheckFailed, o.Manifest, "no manifest to check %s against (%v): it is written beside findings.json by every scan", o.Findings, err)
		checkReport(res, o, findings, nil)
		return res, nil
	}
	checkSignature(res, o, manifestData)
	m, err := ParseManifest(manifestData)
	if err != nil {
		res.add(CheckFailed, o.Manifest, "%v", err)
		checkReport(res, o, findings, nil)
		return res, nil
	}
	if m.Signer != nil && o.PublicKey != nil && m.Signer.KeyID != res.KeyID {
		res.add(CheckFailed, "signing key", "the manifest names signing key %s, the trusted key is %s", m.Signer.KeyID, res.KeyID)
	}
	checkReport(res, o, findings, m)
	return res, nil
}

func checkSignature(res *Result, o VerifyOptions, manifest []byte) {
	sig, err := os.ReadFile(o.Signature)
	switch {
	case o.PublicKey == nil && err == nil:
		res.add(CheckSkipped, "signature", "%s is present but no public key was given (--pub KEY): hashes below show the files agree, not who wrote them", o.Signature)
	case o.PublicKey == nil:
		res.add(CheckSkipped, "signature", "the manifest is not signed: hashes below show the files agree, not who wrote them")
	case errors.Is(err, os.ErrNotExist):
		res.add(CheckFailed, "signature", "%s is missing: the scan was not signed (--sign-key) or the signature was removed", o.Signature)
	case err != nil:
		res.add(CheckFailed, "signature", "read %s: %v", o.Signature, err)
	case len(sig) != ed25519.SignatureSize:
		res.add(CheckFailed, "signature", "%s is %d bytes, an Ed25519 signature is %d", o.Signature, len(sig), ed25519.SignatureSize)
	case !ed25519.Verify(o.PublicKey, manifest, sig):
		res.add(CheckFailed, "signature", "%s does not match %s under key %s: the manifest or the signature was changed, or another key signed it", o.Signature, o.Manifest, res.KeyID)
	default:
		res.Authenticated = true
		res.add(CheckOK, "signature", "%s signed by key %s", o.Manifest, res.KeyID)
	}
}

// checkReport checks findings.json against the manifest (when there is
// one) and every hash findings.json records.
func checkReport(res *Result, o VerifyOptions, findings []byte, m *Manifest) {
	sum := sha256.Sum256(findings)
	findingsSHA := hex.EncodeToString(sum[:])
	if m != nil {
		listed := false
		for _, f := range m.Files {
			if f.Role == RoleFindings {
				listed = true
				compare(res, o.Findings, f.SHA256, findingsSHA, int64(len(findings)))
			}
		}
		if !listed {
			res.add(CheckFailed, o.Findings, "the manifest lists no findings file")
		}
	}
	rep, err := evaluate.ParseReport(findings)
	if err != nil {
		res.add(CheckFailed, o.Findings, "not a readable findings file: %v", err)
		return
	}
	if m != nil {
		checkManifestFiles(res, o, m, rep)
	}
	for _, in := range rep.Inputs.Files {
		checkInput(res, o, "input "+in.Source, in.Path, in.SHA256)
	}
	if o.PolicyPack != nil {
		status, detail := o.PolicyPack(rep)
		res.add(status, "policy pack", "%s", detail)
	}
}

func checkManifestFiles(res *Result, o VerifyOptions, m *Manifest, rep *evaluate.Report) {
	if m.ScanID != rep.ScanID {
		res.add(CheckFailed, "scan id", "the manifest is of scan %s, %s of scan %s", m.ScanID, o.Findings, rep.ScanID)
	}
	dir := filepath.Dir(o.Manifest)
	for _, f := range m.Files {
		if f.Role == RoleFindings {
			continue
		}
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			res.add(CheckFailed, f.Path, "the manifest lists a file outside its folder")
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if sha, n, err := fileio.HashFile(p); err != nil {
			res.add(CheckMissing, p, "%s (%v)", f.Role, errors.Unwrap(err))
		} else {
			compare(res, p, f.SHA256, sha, n)
		}
		crossCheck(res, f, rep)
	}
	for _, f := range m.Inputs {
		checkInput(res, o, f.Role, f.Path, f.SHA256)
		crossCheck(res, f, rep)
	}
}

// crossCheck ties manifest entries to what findings.json says of them.
func crossCheck(res *Result, f File, rep *evaluate.Report) {
	switch {
	case f.Role == RoleSnapshot && f.SHA256 != rep.Inputs.Snapshot.SHA256:
		res.add(CheckFailed, f.Path, "the manifest's snapshot hash %s is not the one findings.json evaluated (%s)", f.SHA256, rep.Inputs.Snapshot.SHA256)
	case f.Role == RoleBaseline && (rep.Changes == nil || f.SHA256 != rep.Changes.Baseline.SHA256):
		res.add(CheckFailed, f.Path, "the manifest's baseline is not the one findings.json was compared with")
	}
}

// checkInput hashes an input file where it can be found: under InputsDir
// (by its recorded relative path, then by name), where it must match, else
// at the recorded path, where a difference means it was replaced since.
func checkInput(res *Result, o VerifyOptions, kind, path, want string) {
	item := kind + " " + path
	for _, p := range inputCandidates(o.InputsDir, path) {
		sha, n, err := fileio.HashFile(p)
		if err != nil {
			continue
		}
		if p == path && sha != want {
			res.add(CheckChanged, item, "sha256 %s, the scan read %s: the file at this path was replaced after the scan; to check the scan's own inputs, put them in a folder and give --inputs DIR", sha, want)
			return
		}
		compare(res, item, want, sha, n)
		return
	}
	where := "at its recorded path"
	if o.InputsDir != "" {
		where = "in " + o.InputsDir + " or at its recorded path"
	}
	res.add(CheckMissing, item, "not found %s", where)
}

func inputCandidates(dir, path string) []string {
	var out []string
	if dir != "" {
		if filepath.IsLocal(path) {
			out = append(out, filepath.Join(dir, path))
		}
		out = append(out, filepath.Join(dir, filepath.Base(path)))
	}
	return append(out, path)
}

func compare(res *Result, item, want, got string, n int64) {
	if want == got {
		res.add(CheckOK, item, "sha256 %s (%d bytes)", got, n)
		return
	}
	res.add(CheckFailed, item, "sha256 %s, recorded %s: the file changed after the scan", got, want)
}
