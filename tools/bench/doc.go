// Command bench holds the measurements of make bench (scripts/bench.sh)
// that the exoready command line cannot take itself, and turns the results
// into the tables of docs/benchmarks.md:
//
//	bench floor N SNAPSHOT.json      decode the snapshot into its Go types, nothing else (the floor)
//	bench evaluate N SNAPSHOT.json   read and evaluate it with the embedded pack, as exoready evaluate does, without writing reports
//	bench timed NAME N TIMEFILE [FINDINGS.json [LOG]]
//	                                 a command measured by /usr/bin/time -v, with the phases of its findings.json and log
//	bench read-ldif N FILE           collect AD from an LDIF export, nothing else
//	bench read-export N DIR          collect Exchange Online from an export folder, nothing else
//	bench ldap N URL BINDDN BASE CONFIG
//	                                 collect AD live as exoready does (password in EXOREADY_LDAP_PASSWORD)
//	bench ldapsearch N URL BINDDN PWFILE BASE CONFIG
//	                                 page through the same searches with ldapsearch
//	bench opa-data DIR               write the pack's parameters as an opa data file, DIR/data.json
//	bench opa-query                  print the opa eval query that computes what exoready reads of every rule
//	bench gotest NAME N              read a go test -bench result line from stdin
//	bench table RESULTS.jsonl        print the results as Markdown tables
//
// Each measurement prints one line of JSON (see result), which the script
// appends to its results file.
package main
