package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/rs/zerolog"

	"github.com/exoready/exoready/collector/ad"
	"github.com/exoready/exoready/collector/exo"
)

// ldapCollect collects AD live, as exoready scan --ldap-url does (page
// size 1000), and counts the objects it read. The password comes from
// EXOREADY_LDAP_PASSWORD, never the command line.
func ldapCollect(n int, url, bindDN, base, config string) error {
	log := zerolog.Nop()
	ctx := log.WithContext(context.Background())
	start := time.Now()
	sec, st, err := ad.Collect(ctx, ad.Options{URL: url, BindDN: bindDN, Password: os.Getenv("EXOREADY_LDAP_PASSWORD"),
		BaseDN: base, ConfigDN: config, PageSize: 1000, Timeout: 10 * time.Minute})
	if err != nil {
		return err
	}
	ms := time.Since(start).Milliseconds()
	if len(st.Errors) > 0 {
		return fmt.Errorf("collection incomplete: %+v", st.Errors)
	}
	entries := len(sec.Users) + len(sec.Contacts) + len(sec.Groups) + len(sec.SecurityGroups)
	if x := sec.Exchange; x != nil {
		entries += 1 + len(x.Servers) + len(x.ReceiveConnectors) + len(x.SendConnectors) + len(x.MailboxDatabases) +
			len(x.PublicFolderDatabases) + len(x.AcceptedDomains) + len(x.AutodiscoverSCPs)
		if x.HybridConfiguration != nil {
			entries++
		}
	}
	result{Name: "ldap collect", Mailboxes: n, Millis: ms, Counts: map[string]int{"entries": entries, "users": len(sec.Users)}}.print()
	return nil
}

// ldapsearchRun pages through the same searches with ldapsearch -E
// pr=1000/noprompt, the attributes exoready asks for, and counts entries.
func ldapsearchRun(n int, url, bindDN, pwFile, base, config string) error {
	start := time.Now()
	entries := 0
	for _, s := range ad.Searches(base, config) {
		args := append([]string{"-LLL", "-x", "-H", url, "-D", bindDN, "-y", pwFile, "-E", "pr=1000/noprompt", "-b", s.Base, s.Filter}, s.Attrs...)
		cmd := exec.Command("ldapsearch", args...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			return err
		}
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if line := sc.Bytes(); bytes.HasPrefix(line, []byte("dn:")) {
				entries++
			}
		}
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("ldapsearch -b %s: %v: %s", s.Base, err, stderr.String())
		}
	}
	ms := time.Since(start).Milliseconds()
	result{Name: "ldapsearch", Mailboxes: n, Millis: ms, Counts: map[string]int{"entries": entries}}.print()
	return nil
}

// readLDIF times the AD collector on an LDIF export (exoready scan
// --ad-ldif without the rest of the scan).
func readLDIF(n int, path string) error {
	stop := peakHeap()
	start := time.Now()
	sec, st, err := ad.ReadLDIF(context.Background(), []string{path}, ad.Options{})
	if err != nil {
		return err
	}
	if len(st.Errors) > 0 {
		return fmt.Errorf("LDIF collection incomplete: %+v", st.Errors)
	}
	result{Name: "collect ad (LDIF)", Mailboxes: n, Millis: time.Since(start).Milliseconds(), PeakHeap: stop(),
		Counts: map[string]int{"users": len(sec.Users)}}.print()
	return nil
}

// readExport times the Exchange Online collector on an export folder
// (exoready scan --exo-export without the rest of the scan).
func readExport(n int, dir string) error {
	stop := peakHeap()
	start := time.Now()
	r, err := exo.ReadExport(context.Background(), dir, zerolog.Nop())
	if err != nil {
		return err
	}
	if len(r.EXOStatus.Errors) > 0 {
		return fmt.Errorf("export collection incomplete: %+v", r.EXOStatus.Errors)
	}
	result{Name: "collect exo (export)", Mailboxes: n, Millis: time.Since(start).Milliseconds(), PeakHeap: stop(),
		Counts: map[string]int{"mailboxes": len(r.EXO.Mailboxes)}}.print()
	return nil
}
