package main

import (
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/collector"
	"github.com/exoready/exoready/collector/snapshot"
	"github.com/exoready/exoready/internal/fileio"
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
			var parts []*snapshot.Snapshot
			var digest snapshot.Digest
			for _, p := range c.Args().Slice() {
				s, d, err := snapshot.ReadSnapshotFile(p)
				if err != nil {
					return err
				}
				parts, digest = append(parts, s), d
				o.SnapshotInputs = append(o.SnapshotInputs, fileio.Written{Path: p, SHA256: d.SHA256, Bytes: d.Bytes})
			}
			o.Parsed = parts[0]
			o.Digest = &digest
			if len(parts) == 1 {
				return evaluateAndReport(c.Context, e, o, nil, nil, log)
			}
			merged, err := collector.Merge(parts...)
			if err != nil {
				return err
			}
			w := startSnapshotWrite(c.Context, filepath.Join(o.Out, "snapshot.json"), merged, o.Clock, "")
			o.Parsed, o.Digest, o.SnapshotWrite = merged, nil, w
			err = evaluateAndReport(c.Context, e, o, nil, nil, log) // drops the snapshot once evaluated
			if werr := w.failed(); err == nil {
				err = werr
			}
			return err
		},
	}
}
