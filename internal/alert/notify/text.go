package notify

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Title is Alertmanager's default title: [FIRING:2] or [RESOLVED] and the group labels.
func Title(d *Data) string {
	var sb strings.Builder
	sb.WriteString("[" + strings.ToUpper(d.Status))
	if d.Status == StatusFiring {
		fmt.Fprintf(&sb, ":%d", len(d.Firing()))
	}
	sb.WriteString("]")
	for _, k := range sortedKeys(d.GroupLabels) {
		sb.WriteString(" " + d.GroupLabels[k])
	}
	return sb.String()
}

// alertLine is one line per alert: its summary, else its labels.
func alertLine(a Alert) string {
	if s := a.Annotations["summary"]; s != "" {
		return s
	}
	var parts []string
	for _, k := range sortedKeys(a.Labels) {
		parts = append(parts, k+"="+a.Labels[k])
	}
	return strings.Join(parts, " ")
}

// truncate cuts s to n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// severityRank orders our severities, most urgent first.
var severityRank = map[string]int{"critical": 0, "high": 1, "warning": 2, "info": 3}

// topSeverity is the most urgent severity among the firing alerts (of all when none fire).
func topSeverity(d *Data) string {
	best, rank := "", 99
	alerts := d.Firing()
	if len(alerts) == 0 {
		alerts = d.Alerts
	}
	for _, a := range alerts {
		if r, ok := severityRank[a.Labels["severity"]]; ok && r < rank {
			best, rank = a.Labels["severity"], r
		}
	}
	return best
}
