package evidence

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// ErrKey marks a key file that cannot be used (a configuration error).
var ErrKey = errors.New("key")

// Commands the messages suggest, so a user can fix a key file at once.
const (
	genKeyHint = "create one with: openssl genpkey -algorithm ed25519 -out exoready-sign.pem"
	pubKeyHint = "derive it with: openssl pkey -in exoready-sign.pem -pubout -out exoready-sign.pub.pem"
)

// LoadPrivateKey reads an Ed25519 signing key: PEM "PRIVATE KEY" (PKCS#8,
// as openssl genpkey writes it) or a raw 32-byte seed (binary, hex or
// base64). Messages never quote the file's content.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: signing key: %w", ErrKey, err)
	}
	if block, _ := pem.Decode(raw); block != nil {
		switch block.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: signing key %s: not a valid PKCS#8 key (%v); %s", ErrKey, path, err, genKeyHint)
			}
			ek, ok := k.(ed25519.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("%w: signing key %s holds a %s key, not Ed25519; %s", ErrKey, path, keyKind(k), genKeyHint)
			}
			return ek, nil
		case "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("%w: signing key %s is encrypted; keep it unencrypted in a file only the scan's account can read (chmod 600), or decrypt it with: openssl pkey -in %s -out exoready-sign.pem", ErrKey, path, path)
		case "PUBLIC KEY":
			return nil, fmt.Errorf("%w: signing key %s is a public key; --sign-key needs the private key (%s)", ErrKey, path, genKeyHint)
		default:
			return nil, fmt.Errorf("%w: signing key %s: PEM block %q is not supported; want \"PRIVATE KEY\" (PKCS#8 Ed25519); %s", ErrKey, path, block.Type, genKeyHint)
		}
	}
	seed, ok := raw32(raw)
	if !ok {
		return nil, fmt.Errorf("%w: signing key %s is neither a PEM PKCS#8 Ed25519 key nor a 32-byte seed (raw, hex or base64); %s", ErrKey, path, genKeyHint)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// LoadPublicKey reads an Ed25519 public key: PEM "PUBLIC KEY" (PKIX, as
// openssl pkey -pubout writes it) or the raw 32 bytes (binary, hex or
// base64).
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: public key: %w", ErrKey, err)
	}
	if block, _ := pem.Decode(raw); block != nil {
		switch block.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: public key %s: not a valid PKIX key (%v); %s", ErrKey, path, err, pubKeyHint)
			}
			ek, ok := k.(ed25519.PublicKey)
			if !ok {
				return nil, fmt.Errorf("%w: public key %s holds a %s key, not Ed25519", ErrKey, path, keyKind(k))
			}
			return ek, nil
		case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("%w: %s is a private key; verify needs only the public key, and the private key should not leave the scan host; %s", ErrKey, path, pubKeyHint)
		default:
			return nil, fmt.Errorf("%w: public key %s: PEM block %q is not supported; want \"PUBLIC KEY\"; %s", ErrKey, path, block.Type, pubKeyHint)
		}
	}
	b, ok := raw32(raw)
	if !ok {
		return nil, fmt.Errorf("%w: public key %s is neither a PEM Ed25519 public key nor 32 raw bytes (binary, hex or base64); %s", ErrKey, path, pubKeyHint)
	}
	return ed25519.PublicKey(b), nil
}

// KeyID names a public key: the hex SHA-256 of its 32 bytes. It is safe to
// log and print.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:])
}

// raw32 decodes 32 key bytes written as binary, hex or base64.
func raw32(raw []byte) ([]byte, bool) {
	if len(raw) == 32 {
		return raw, true
	}
	s := bytes.TrimSpace(raw)
	if b, err := hex.DecodeString(string(s)); err == nil && len(b) == 32 {
		return b, true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(string(s)); err == nil && len(b) == 32 {
			return b, true
		}
	}
	return nil, false
}

func keyKind(k any) string {
	switch k.(type) {
	case *rsa.PrivateKey, *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return "ECDSA"
	case *ecdh.PrivateKey, *ecdh.PublicKey:
		return "X25519/ECDH"
	}
	return fmt.Sprintf("%T", k)
}
