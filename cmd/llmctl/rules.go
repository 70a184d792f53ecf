package main

import (
	"fmt"
	"io"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/rules"
)

func init() {
	register(command{
		name:    "rules",
		summary: "check alert rules files offline (rules check FILE...)",
		run:     runRules,
	})
}

// runRules validates rules files as the llmalert exporter does at load, like
// `promtool check rules`: exit 0 when every file is valid, 1 otherwise.
func runRules(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 2 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: llmctl rules check FILE...")
		return 2
	}
	status := 0
	for _, path := range args[1:] {
		fmt.Fprintf(stdout, "Checking %s\n", path)
		n, err := checkRulesFile(path)
		if err != nil {
			fmt.Fprintf(stdout, "  FAILED: %v\n", err)
			status = 1
			continue
		}
		fmt.Fprintf(stdout, "  SUCCESS: %d rules found\n", n)
	}
	return status
}

func checkRulesFile(path string) (int, error) {
	cfgs, err := rules.Set{Files: []string{path}}.Resolve()
	if err != nil {
		return 0, err
	}
	for _, c := range cfgs {
		if _, err := rules.Compile(c, rules.Catalog); err != nil {
			return 0, err
		}
	}
	return len(cfgs), nil
}
