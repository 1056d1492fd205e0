package main

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector/ad"
	"github.com/exoready/exoready/collector/snapshot"
)

const catAD = "Active Directory"

// adFlags select and configure AD collection. The password is never a flag:
// EXOREADY_LDAP_PASSWORD or --password-file.
func adFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "ldap-url", EnvVars: []string{"EXOREADY_LDAP_URL"}, Category: catAD,
			Usage: "collect AD live from this DC: ldaps://dc:636, or ldap://dc with --start-tls"},
		&cli.BoolFlag{Name: "start-tls", EnvVars: []string{"EXOREADY_LDAP_START_TLS"}, Category: catAD,
			Usage: "upgrade an ldap:// connection with StartTLS"},
		&cli.StringFlag{Name: "bind-dn", EnvVars: []string{"EXOREADY_LDAP_BIND_DN"}, Category: catAD,
			Usage: "bind account, a DN or a UPN (a plain domain user is enough)"},
		&cli.StringFlag{Name: "password-file", EnvVars: []string{"EXOREADY_LDAP_PASSWORD_FILE"}, Category: catAD,
			Usage: "file holding the bind password (else EXOREADY_LDAP_PASSWORD)"},
		&cli.StringFlag{Name: "ca-file", EnvVars: []string{"EXOREADY_LDAP_CA_FILE"}, Category: catAD,
			Usage: "PEM file of the CA(s) that issued the DC's certificate"},
		&cli.BoolFlag{Name: "insecure-skip-verify", EnvVars: []string{"EXOREADY_LDAP_INSECURE_SKIP_VERIFY"}, Category: catAD,
			Usage: "do not verify the DC's TLS certificate (labs only: the password can be intercepted)"},
		&cli.StringFlag{Name: "base-dn", EnvVars: []string{"EXOREADY_LDAP_BASE_DN"}, Category: catAD,
			Usage: "domain partition to read (default: from RootDSE or the LDIF)"},
		&cli.StringFlag{Name: "config-dn", EnvVars: []string{"EXOREADY_LDAP_CONFIG_DN"}, Category: catAD,
			Usage: "configuration partition to read (default: from RootDSE or the LDIF)"},
		&cli.StringSliceFlag{Name: "ad-ldif", EnvVars: []string{"EXOREADY_AD_LDIF"}, Category: catAD,
			Usage: "read AD from ldifde -f / ldapsearch -LLL exports instead (repeat for the domain and configuration partitions)"},
	}
}

// any tells whether an AD source is given.
func (s adConfig) any() bool { return s.LDAPURL != "" || len(s.LDIF) > 0 }

// adSettings merges the AD flags over scan.yaml's ad section (flags win).
func adSettings(c *cli.Context, cfg *scanConfig) adConfig {
	s := cfg.AD
	str := func(name string, dst *string) {
		if c.IsSet(name) {
			*dst = c.String(name)
		}
	}
	boolean := func(name string, dst *bool) {
		if c.IsSet(name) {
			*dst = c.Bool(name)
		}
	}
	str("ldap-url", &s.LDAPURL)
	boolean("start-tls", &s.StartTLS)
	str("bind-dn", &s.BindDN)
	str("password-file", &s.PasswordFile)
	str("ca-file", &s.CAFile)
	boolean("insecure-skip-verify", &s.InsecureSkipVerify)
	str("base-dn", &s.BaseDN)
	str("config-dn", &s.ConfigDN)
	if c.IsSet("ad-ldif") {
		s.LDIF = c.StringSlice("ad-ldif")
	}
	return s
}

// collectAD runs the AD collector the flags or scan.yaml ask for. ok is
// false when no AD source was given.
// Progress goes to prog (nil: none).
func collectAD(ctx context.Context, c *cli.Context, cfg *scanConfig, prog io.Writer, log zerolog.Logger) (a *snapshot.AD, st snapshot.SourceStatus, ok bool, err error) {
	s := adSettings(c, cfg)
	if !s.any() {
		return nil, st, false, nil
	}
	if s.LDAPURL != "" && len(s.LDIF) > 0 {
		return nil, st, false, usageErrorf("give either --ldap-url or --ad-ldif, not both")
	}
	o := ad.Options{
		URL: s.LDAPURL, StartTLS: s.StartTLS, BindDN: s.BindDN, CAFile: s.CAFile,
		InsecureSkipVerify: s.InsecureSkipVerify, BaseDN: s.BaseDN, ConfigDN: s.ConfigDN,
		Progress: prog,
	}
	ctx = log.WithContext(ctx)
	if len(s.LDIF) > 0 {
		a, st, err = ad.ReadLDIF(ctx, s.LDIF, o)
		return a, st, err == nil, err
	}
	if o.Password, err = ldapPassword(s.PasswordFile); err != nil {
		return nil, st, false, err
	}
	a, st, err = ad.Collect(ctx, o)
	return a, st, err == nil, err
}

// ldapPassword reads the bind password from the file, else from
// EXOREADY_LDAP_PASSWORD. One trailing newline is dropped.
func ldapPassword(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", usageErrorf("read --password-file: %v", err)
		}
		pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if pw == "" {
			return "", usageErrorf("--password-file %s is empty", file)
		}
		return pw, nil
	}
	if pw := os.Getenv("EXOREADY_LDAP_PASSWORD"); pw != "" {
		return pw, nil
	}
	return "", usageErrorf("no LDAP password: set EXOREADY_LDAP_PASSWORD or give --password-file")
}
