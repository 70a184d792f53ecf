package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Node kinds of the dependency map.
const (
	NodeService  = "service"
	NodeAgent    = "agent"
	NodeWorkflow = "workflow"
	NodeTool     = "tool"
	NodeModel    = "model"
	NodeProvider = "provider"
	NodeOther    = "operation"
)

// Node is one service, agent, workflow, tool, model or provider.
type Node struct {
	ID     string `json:"id"` // kind:name
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Calls  int64  `json:"calls"`
	Errors int64  `json:"errors"`
}

// Edge is "From calls To": a parent span and its child, or a model and its provider.
type Edge struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Calls  int64  `json:"calls"`
	Errors int64  `json:"errors"`
}

// Dependencies is the graph of who calls what in a window.
type Dependencies struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// genAINode names the node a GenAI span stands for.
func genAINode(op, agent, tool, model, provider, name string) (kind, nodeName string) {
	switch {
	case op == genai.OpInvokeAgent || op == genai.OpCreateAgent:
		return NodeAgent, firstNonEmpty(agent, name)
	case op == genai.OpInvokeWorkflow:
		return NodeWorkflow, name
	case op == genai.OpExecuteTool:
		return NodeTool, firstNonEmpty(tool, name)
	case genai.IsInference(op) || op == genai.OpRetrieval:
		return NodeModel, firstNonEmpty(model, provider, "unknown")
	}
	return NodeOther, op
}

// Dependencies builds the graph from the GenAI spans started in w. A span whose parent is
// not a GenAI span is called by its parent's service (or its own, for a root).
func (s *Store) Dependencies(ctx context.Context, w Window) (Dependencies, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.operation, c.agent_name, c.tool_name, c.model, c.provider, c.name,
		c.service, c.is_error, p.operation, p.agent_name, p.tool_name, p.model, p.provider, p.name, p.service
		FROM spans c LEFT JOIN spans p ON p.trace_row = c.trace_row AND p.span_id = c.parent_span_id AND c.parent_span_id != ''
		WHERE c.start_ns >= ? AND c.start_ns < ? AND c.operation != ''`, w.From.UnixNano(), w.To.UnixNano())
	if err != nil {
		return Dependencies{}, s.describe("querying dependencies", err)
	}
	defer rows.Close()
	nodes := map[string]*Node{}
	edges := map[[2]string]*Edge{}
	node := func(kind, name string) *Node {
		id := kind + ":" + name
		n := nodes[id]
		if n == nil {
			n = &Node{ID: id, Kind: kind, Name: name}
			nodes[id] = n
		}
		return n
	}
	edge := func(from, to *Node, isErr bool) {
		e := edges[[2]string{from.ID, to.ID}]
		if e == nil {
			e = &Edge{From: from.ID, To: to.ID}
			edges[[2]string{from.ID, to.ID}] = e
		}
		e.Calls++
		if isErr {
			e.Errors++
		}
	}
	for rows.Next() {
		var op, agent, tool, model, provider, name, service string
		var isErr bool
		var pOp, pAgent, pTool, pModel, pProvider, pName, pService sql.NullString
		if err := rows.Scan(&op, &agent, &tool, &model, &provider, &name, &service, &isErr,
			&pOp, &pAgent, &pTool, &pModel, &pProvider, &pName, &pService); err != nil {
			return Dependencies{}, s.describe("reading dependencies", err)
		}
		child := node(genAINode(op, agent, tool, model, provider, name))
		child.Calls++
		if isErr {
			child.Errors++
		}
		var parent *Node
		switch {
		case pOp.String != "":
			parent = node(genAINode(pOp.String, pAgent.String, pTool.String, pModel.String, pProvider.String, pName.String))
		case pService.Valid:
			parent = node(NodeService, firstNonEmpty(pService.String, "unknown"))
		default:
			parent = node(NodeService, firstNonEmpty(service, "unknown"))
		}
		if parent != child {
			edge(parent, child, isErr)
		}
		if child.Kind == NodeModel && provider != "" {
			p := node(NodeProvider, provider)
			p.Calls++
			if isErr {
				p.Errors++
			}
			edge(child, p, isErr)
		}
	}
	if err := s.rowsErr("reading dependencies", rows); err != nil {
		return Dependencies{}, err
	}
	d := Dependencies{Nodes: make([]Node, 0, len(nodes)), Edges: make([]Edge, 0, len(edges))}
	for _, n := range nodes {
		d.Nodes = append(d.Nodes, *n)
	}
	for _, e := range edges {
		d.Edges = append(d.Edges, *e)
	}
	slices.SortFunc(d.Nodes, func(a, b Node) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(d.Edges, func(a, b Edge) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	return d, nil
}
