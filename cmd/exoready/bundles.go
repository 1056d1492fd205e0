package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/exoready/exoready/evaluate"
)

// bundleVerification reads --policy-verification-key (or scan.yaml's
// policy_verification_key); nil when no key is given.
func bundleVerification(c *cli.Context, cfg *scanConfig) (*evaluate.BundleVerification, error) {
	p := pick(c, "policy-verification-key", cfg.PolicyVerificationKey)
	if p == "" {
		return nil, nil
	}
	key, err := os.ReadFile(p)
	if err != nil {
		return nil, usageErrorf("--policy-verification-key: %v", err)
	}
	return &evaluate.BundleVerification{Key: string(key), Algorithm: c.String("policy-signing-alg")}, nil
}
