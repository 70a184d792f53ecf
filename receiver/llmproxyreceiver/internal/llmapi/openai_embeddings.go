package llmapi

import (
	"encoding/base64"
	"encoding/json"
)

type embeddingsRequest struct {
	Model          string `json:"model"`
	EncodingFormat string `json:"encoding_format"`
	User           string `json:"user"`
}

func parseEmbeddingsRequest(body []byte, c *Call) error {
	var r embeddingsRequest
	if err := jsonAPI.Unmarshal(body, &r); err != nil {
		return err
	}
	c.RequestModel, c.User = r.Model, r.User
	if r.EncodingFormat != "" {
		c.Params.EncodingFormats = []string{r.EncodingFormat}
	}
	return nil
}

type embeddingsResponse struct {
	Model string `json:"model"`
	Data  []struct {
		// Embedding is a list of floats, or a base64 string of float32s.
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
	Usage *openAIUsage `json:"usage"`
}

func parseEmbeddingsResponse(body []byte, c *Call) error {
	var r embeddingsResponse
	if err := jsonAPI.Unmarshal(body, &r); err != nil {
		return err
	}
	c.ResponseModel = r.Model
	if r.Usage != nil {
		// Embeddings report prompt_tokens only; they produce no output tokens.
		setCount(&c.Usage.Input, &c.Usage.HasInput, r.Usage.PromptTokens)
	}
	if len(r.Data) > 0 {
		c.DimensionCount = dimensions(r.Data[0].Embedding)
	}
	return nil
}

func dimensions(raw json.RawMessage) int64 {
	var floats []json.RawMessage
	if jsonAPI.Unmarshal(raw, &floats) == nil {
		return int64(len(floats))
	}
	var b64 string
	if jsonAPI.Unmarshal(raw, &b64) == nil {
		return int64(base64.StdEncoding.DecodedLen(len(b64)) / 4)
	}
	return 0
}
