package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/exoready/exoready/evaluate"
	"github.com/exoready/exoready/internal/fileio"
)

// File names in the output folder.
const (
	ManifestName  = "manifest.json"
	SignatureName = ManifestName + ".sig"
)

// ManifestVersion is the version of manifest.json's format.
const ManifestVersion = 1

// Roles of the files a manifest lists.
const (
	RoleFindings = "findings" // findings.json
	RoleReport   = "report"   // another rendering of findings.json
	RoleSnapshot = "snapshot" // the snapshot that was evaluated
	RoleBaseline = "baseline" // the copy of the baseline findings.json
	RolePart     = "snapshot-part"
)

// ErrManifest marks a manifest or signature file that cannot be read.
var ErrManifest = errors.New("invalid evidence manifest")

// Manifest is manifest.json: what one run wrote and the snapshot files it
// read, each with its SHA-256. findings.json holds the hashes of every other
// input (source files, scan.yaml, the policy pack); the manifest adds the
// hash of findings.json itself, which cannot live inside it.
type Manifest struct {
	ManifestVersion int           `json:"manifest_version"`
	Tool            evaluate.Tool `json:"tool"`
	ScanID          string        `json:"scan_id"`
	CreatedAt       time.Time     `json:"created_at"`
	// Files are the files written into the manifest's folder; Path is the
	// name relative to that folder.
	Files []File `json:"files"`
	// Inputs are snapshot files read from outside the folder (exoready
	// evaluate SNAPSHOT.json), with the path as given.
	Inputs []File `json:"inputs"`
	// Signer names the key that signed the manifest (nil when unsigned).
	// A verifier trusts only the public key it was given, never this one.
	Signer *Signer `json:"signer,omitempty"`
}

// File is one hashed file.
type File struct {
	Role   string `json:"role"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// Signer identifies the signing key.
type Signer struct {
	Algorithm string `json:"algorithm"` // "ed25519"
	// KeyID is the hex SHA-256 of the 32-byte public key.
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"` // base64 of the 32 bytes
}

// NewManifest starts the manifest of a report's run.
func NewManifest(r *evaluate.Report) *Manifest {
	return &Manifest{
		ManifestVersion: ManifestVersion, Tool: r.Tool, ScanID: r.ScanID, CreatedAt: r.Timings.FinishedAt.UTC(),
		Files: []File{}, Inputs: []File{},
	}
}

// AddOutput lists a file the run wrote into dir by its name relative to
// dir, with the digest taken as it was written (fileio.WriteAtomicHashed):
// the run never reads its gigabytes of output again to hash them.
func (m *Manifest) AddOutput(dir string, f fileio.Written, role string) error {
	rel, err := filepath.Rel(dir, f.Path)
	if err != nil {
		return err
	}
	m.Files = append(m.Files, File{Role: role, Path: filepath.ToSlash(rel), SHA256: f.SHA256, Bytes: f.Bytes})
	return nil
}

// AddInput lists a file the run read by its path as given, with the digest
// taken as it was read.
func (m *Manifest) AddInput(f fileio.Written, role string) {
	m.Inputs = append(m.Inputs, File{Role: role, Path: f.Path, SHA256: f.SHA256, Bytes: f.Bytes})
}

// Marshal encodes the manifest: files sorted, indented, trailing newline.
func (m *Manifest) Marshal() ([]byte, error) {
	for _, fs := range [][]File{m.Files, m.Inputs} {
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes dir/manifest.json and, with a key, dir/manifest.json.sig:
// the raw 64-byte Ed25519 signature of manifest.json's exact bytes (what
// `openssl pkeyutl -verify -rawin` checks). It returns the paths written.
// A signature an earlier run left in dir is removed first, so it can never
// stand beside a manifest it does not sign.
func (m *Manifest) Write(dir string, key ed25519.PrivateKey) ([]string, error) {
	if key != nil {
		pub := key.Public().(ed25519.PublicKey)
		m.Signer = &Signer{Algorithm: "ed25519", KeyID: KeyID(pub), PublicKey: base64.StdEncoding.EncodeToString(pub)}
	}
	data, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	mp, sp := filepath.Join(dir, ManifestName), filepath.Join(dir, SignatureName)
	if err := os.Remove(sp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove old signature: %w", err)
	}
	if err := fileio.WriteFileAtomic(mp, data); err != nil {
		return nil, fmt.Errorf("write %s: %w", mp, err)
	}
	written := []string{mp}
	if key == nil {
		return written, nil
	}
	sig := ed25519.Sign(key, data)
	if err := fileio.WriteFileAtomic(sp, sig); err != nil {
		return written, fmt.Errorf("write %s: %w", sp, err)
	}
	return append(written, sp), nil
}

// ParseManifest decodes manifest.json strictly.
func ParseManifest(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	if m.ManifestVersion != ManifestVersion {
		return nil, fmt.Errorf("%w: manifest_version %d is not supported (this exoready reads %d)", ErrManifest, m.ManifestVersion, ManifestVersion)
	}
	return &m, nil
}
