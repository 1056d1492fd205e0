package main

import (
	"context"
	"io"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector/exo"
	"github.com/exoready/exoready/collector/facts"
	"github.com/exoready/exoready/collector/snapshot"
)

const catEXO = "Exchange Online and Entra"

// exoFlags select and configure Exchange Online + Entra collection and the
// operator facts. The certificate password is never a flag:
// EXOREADY_CERT_PASSWORD or --cert-password-file.
func exoFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "exo-export", EnvVars: []string{"EXOREADY_EXO_EXPORT"}, Category: catEXO,
			Usage: "read Exchange Online and Entra from this folder, written by scripts/Export-ExoReady.ps1"},
		&cli.StringFlag{Name: "exo-tenant", EnvVars: []string{"EXOREADY_EXO_TENANT"}, Category: catEXO,
			Usage: "collect live from this tenant (id or contoso.onmicrosoft.com), app-only with a certificate"},
		&cli.StringFlag{Name: "client-id", EnvVars: []string{"EXOREADY_CLIENT_ID"}, Category: catEXO,
			Usage: "application (client) id of the app registration used with --exo-tenant"},
		&cli.StringFlag{Name: "cert-file", EnvVars: []string{"EXOREADY_CERT_FILE"}, Category: catEXO,
			Usage: "the app's certificate: PEM (certificate + unencrypted key) or PFX"},
		&cli.StringFlag{Name: "cert-password-file", EnvVars: []string{"EXOREADY_CERT_PASSWORD_FILE"}, Category: catEXO,
			Usage: "file holding the PFX password (else " + exo.CertPasswordEnv + ")"},
		&cli.StringFlag{Name: "exo-base-url", EnvVars: []string{"EXOREADY_EXO_BASE_URL"}, Category: catEXO,
			Usage: "Exchange Online endpoint, for sovereign clouds (default " + exo.DefaultEXOBaseURL + ")"},
		&cli.StringFlag{Name: "graph-base-url", EnvVars: []string{"EXOREADY_GRAPH_BASE_URL"}, Category: catEXO,
			Usage: "Microsoft Graph endpoint, for sovereign clouds (default " + exo.DefaultGraphBaseURL + ")"},
		&cli.StringFlag{Name: "authority-host", EnvVars: []string{"EXOREADY_AUTHORITY_HOST"}, Category: catEXO,
			Usage: "Entra sign-in endpoint, for sovereign clouds (default " + exo.DefaultAuthorityHost + ")"},
		&cli.StringFlag{Name: "facts", EnvVars: []string{"EXOREADY_FACTS"}, Category: catEXO,
			Usage: "operator facts YAML (Entra Connect version, ...), written by scripts/Get-EntraConnectFacts.ps1"},
	}
}

// any tells whether an Exchange Online source is given.
func (s exoConfig) any() bool { return s.Export != "" || s.Tenant != "" }

// exoSettings merges the flags over scan.yaml's exo section (flags win).
func exoSettings(c *cli.Context, cfg *scanConfig) exoConfig {
	s := cfg.EXO
	for name, dst := range map[string]*string{
		"exo-export": &s.Export, "exo-tenant": &s.Tenant, "client-id": &s.ClientID, "cert-file": &s.CertFile,
		"cert-password-file": &s.CertPasswordFile, "exo-base-url": &s.EXOBaseURL, "graph-base-url": &s.GraphBaseURL,
		"authority-host": &s.AuthorityHost,
	} {
		if c.IsSet(name) {
			*dst = c.String(name)
		}
	}
	return s
}

// collectEXO runs the export reader or the live collector. r is nil when
// no Exchange Online source was given.
// Progress goes to prog (nil: none).
func collectEXO(ctx context.Context, c *cli.Context, cfg *scanConfig, prog io.Writer, log zerolog.Logger) (*exo.Result, error) {
	s := exoSettings(c, cfg)
	switch {
	case !s.any():
		return nil, nil
	case s.Export != "" && s.Tenant != "":
		return nil, usageErrorf("give either --exo-export or --exo-tenant, not both")
	case s.Export != "":
		return exo.ReadExport(ctx, s.Export, log)
	}
	pw, err := exo.CertPassword(s.CertPasswordFile)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	o := exo.LiveOptions{
		Tenant: s.Tenant, ClientID: s.ClientID, CertFile: s.CertFile, CertPassword: pw,
		EXOBaseURL: s.EXOBaseURL, GraphBaseURL: s.GraphBaseURL, AuthorityHost: s.AuthorityHost,
		Logger: log, Progress: prog,
	}
	return exo.CollectLive(ctx, o)
}

// collectFacts reads --facts (or scan.yaml's facts). ok is false when none
// was given.
func collectFacts(c *cli.Context, cfg *scanConfig) (*snapshot.Facts, snapshot.SourceStatus, bool, error) {
	path := cfg.Facts
	if c.IsSet("facts") {
		path = c.String("facts")
	}
	if path == "" {
		return nil, snapshot.SourceStatus{}, false, nil
	}
	f, st, err := facts.ReadFile(path)
	return f, st, err == nil, err
}
