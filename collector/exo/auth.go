package exo

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"software.sslmate.com/src/go-pkcs12"
)

// CertPasswordEnv holds the certificate password when no file is given.
const CertPasswordEnv = "EXOREADY_CERT_PASSWORD"

// CertPassword returns the certificate password: the content of file
// (trailing newline removed) when file is set, else $EXOREADY_CERT_PASSWORD,
// else "". Passwords never come from a flag value.
func CertPassword(file string) (string, error) {
	if file == "" {
		return os.Getenv(CertPasswordEnv), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("certificate password file: %w", err)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

// LoadCertificate reads the app's certificate and private key from a PEM
// file (certificate and unencrypted key) or a PFX/PKCS#12 file (password
// protected or not). The format is detected from the content.
func LoadCertificate(path, password string) ([]*x509.Certificate, crypto.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("certificate: %w", err)
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		if bytes.Contains(data, []byte("ENCRYPTED PRIVATE KEY")) || bytes.Contains(data, []byte("Proc-Type: 4,ENCRYPTED")) {
			return nil, nil, fmt.Errorf("certificate %s: the PEM private key is encrypted, which exoready does not read: give a PFX file instead (`openssl pkcs12 -export -in cert.pem -inkey key.pem -out app.pfx`) with its password in %s or --cert-password-file", path, CertPasswordEnv)
		}
		certs, key, err := confidential.CertFromPEM(data, "")
		if err != nil {
			return nil, nil, fmt.Errorf("certificate %s: %w", path, err)
		}
		if len(certs) == 0 || key == nil {
			return nil, nil, fmt.Errorf("certificate %s: the PEM file must hold the certificate and its private key", path)
		}
		return certs, key, nil
	}
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, nil, fmt.Errorf("certificate %s: wrong PFX password (give it in %s or --cert-password-file)", path, CertPasswordEnv)
		}
		return nil, nil, fmt.Errorf("certificate %s: not a PEM or PFX file exoready can read: %w", path, err)
	}
	return append([]*x509.Certificate{cert}, chain...), key, nil
}

// msalTokens acquires app-only tokens with a certificate (client
// credentials). fresh=true drops the token cache by building a new client,
// which MSAL gives no other way to do for app tokens.
type msalTokens struct {
	authority string
	clientID  string
	cred      confidential.Credential
	http      *http.Client

	mu     sync.Mutex
	client *confidential.Client
}

func newMSALTokens(authorityHost, tenant, clientID string, certs []*x509.Certificate, key crypto.PrivateKey, hc *http.Client) (*msalTokens, error) {
	cred, err := confidential.NewCredFromCert(certs, key)
	if err != nil {
		return nil, fmt.Errorf("certificate credential: %w", err)
	}
	return &msalTokens{
		authority: strings.TrimRight(authorityHost, "/") + "/" + tenant,
		clientID:  clientID,
		cred:      cred,
		http:      hc,
	}, nil
}

func (m *msalTokens) Token(ctx context.Context, scope string, fresh bool) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.client == nil || fresh {
		// Instance discovery off: the configured authority host is used as
		// given (sovereign clouds, private endpoints, test servers).
		c, err := confidential.New(m.authority, m.clientID, m.cred,
			confidential.WithHTTPClient(m.http), confidential.WithInstanceDiscovery(false))
		if err != nil {
			return "", err
		}
		m.client = &c
	}
	res, err := m.client.AcquireTokenByCredential(ctx, []string{scope})
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}
