package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
)

// unmarshalStage reads one stage section (normalize, pricing, redaction) of an llm
// processor in a collector config file into cfg, which holds the defaults. llmctl's
// offline commands use it so that they run the engines exactly as the collector would.
// A processor without the section leaves cfg as it is. It returns where the section is
// ("file: processors::llm/prod::pricing"), for error messages.
func unmarshalStage(path, processorID, stage string, cfg any) (string, error) {
	id, section, err := llmProcessorSection(path, processorID, stage)
	if err != nil {
		return "", err
	}
	where := fmt.Sprintf("%s: processors::%s::%s", path, id, stage)
	if section == nil {
		return where, nil
	}
	raw := section.ToStringMap()
	delete(raw, "enabled") // the processor's stage switch, not an engine option
	if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
		return "", fmt.Errorf("%s: %w", where, err)
	}
	return where, nil
}

// llmProcessorSection returns the named section of an llm processor in a collector
// config file (nil when the processor has none), resolving ${env:…} and ${file:…} as
// the collector does. processorID chooses among several llm processors.
func llmProcessorSection(path, processorID, name string) (string, *confmap.Conf, error) {
	res, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{"file:" + path},
		ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory()},
		DefaultScheme:     "env",
	})
	if err != nil {
		return "", nil, err
	}
	conf, err := res.Resolve(context.Background())
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	procs, err := conf.Sub("processors")
	if err != nil {
		return "", nil, fmt.Errorf("%s: processors: %w", path, err)
	}
	var ids []string
	for k := range procs.ToStringMap() {
		if k == "llm" || strings.HasPrefix(k, "llm/") {
			ids = append(ids, k)
		}
	}
	sort.Strings(ids)
	id := processorID
	switch {
	case id != "":
		if !procs.IsSet(id) {
			return "", nil, fmt.Errorf("%s: no processor %q (llm processors: %s)", path, id, strings.Join(ids, ", "))
		}
	case len(ids) == 1:
		id = ids[0]
	case len(ids) == 0:
		return "", nil, fmt.Errorf("%s: no llm processor under processors", path)
	default:
		return "", nil, fmt.Errorf("%s: several llm processors (%s): choose one with --processor", path, strings.Join(ids, ", "))
	}
	key := id + confmap.KeyDelimiter + name
	if !procs.IsSet(key) {
		return id, nil, nil
	}
	section, err := procs.Sub(key)
	return id, section, err
}
