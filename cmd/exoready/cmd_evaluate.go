package main

import (
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector"
	"github.com/exoready/exoready/collector/snapshot"
)

func evaluateCommand(e *env) *cli.Command {
	flags := append(outputFlags(), scheduleFlags()...)
	flags = append(flags, policyFlags()...)
	flags = append(flags, waiverFlags()...)
	flags = append(flags, loggingFlags()...)
	return &cli.Command{
		Name:      "evaluate",
		Usage:     "evaluate saved snapshot(s) offline and write the reports",
		UsageText: "exoready evaluate SNAPSHOT.json [PART.json ...] --out DIR\n\nSeveral parts (from `exoready collect ad` and `collect exo`) are merged into one snapshot.",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			log, err := newLogger(c, e)
			if err != nil {
				return err
			}
			if c.NArg() == 0 {
				return usageErrorf("evaluate needs a snapshot file: exoready evaluate SNAPSHOT.json --out DIR")
			}
			o, err := evalOptionsFrom(c, e)
			if err != nil {
				return err
			}
			if err := scheduleOptions(c, &o, log); err != nil {
				return err
			}
			if err := waiverOptions(c, &o, false, log); err != nil {
				return err
			}
			o.SnapshotInputs = c.Args().Slice()
			var parts []*snapshot.Snapshot
			var digest snapshot.Digest
			for _, p := range c.Args().Slice() {
				s, d, err := snapshot.ReadSnapshotFile(p)
				if err != nil {
					return err
				}
				parts, digest = append(parts, s), d
			}
			o.Parsed = parts[0]
			o.Digest = &digest
			if len(parts) > 1 {
				merged, err := collector.Merge(parts...)
				if err != nil {
					return err
				}
				o.Parsed = merged
				o.SnapshotOut = filepath.Join(o.Out, "snapshot.json")
				if o.Digest, err = streamSnapshotFile(o.SnapshotOut, merged); err != nil {
					return err
				}
			}
			return evaluateAndReport(c.Context, e, o, nil, nil, log)
		},
	}
}
