package genai

// Request headers the llmproxy receiver reads to label a proxied call. They are addressed
// to the proxy, so it does not forward them to the provider. Header names are
// case-insensitive; these are the canonical forms.
const (
	// HeaderSessionID becomes gen_ai.conversation.id.
	HeaderSessionID = "X-Llm-Session-Id"
	// HeaderUserID becomes user.id (it takes precedence over a user field in the body).
	HeaderUserID = "X-Llm-User-Id"
	// HeaderServiceName becomes the span's resource service.name: the application behind
	// the call, which the proxy cannot otherwise know.
	HeaderServiceName = "X-Llm-Service-Name"
	// HeaderMetadataPrefix + key becomes MetadataPrefix + lower-cased key.
	HeaderMetadataPrefix = "X-Llm-Metadata-"
	// HeaderPrefix is what all of the above share.
	HeaderPrefix = "X-Llm-"
)

// Attributes the llmproxy receiver records that semconv does not define.
const (
	// MetadataPrefix namespaces free-form call metadata supplied by the application.
	MetadataPrefix = "otelcol_llm.metadata."
	// TimePerOutputToken is the mean time between output tokens of a stream after the
	// first chunk, in seconds.
	TimePerOutputToken = "otelcol_llm.response.time_per_output_token"
	// ProxyUpstream names the configured upstream a proxied call went to.
	ProxyUpstream = "otelcol_llm.proxy.upstream"
	// ProxyCaptureTruncated is true when the response was larger than the capture
	// buffer, so response details are missing from the span (the client got it all).
	ProxyCaptureTruncated = "otelcol_llm.proxy.capture_truncated"
	// HTTPResponseStatusCode is the core semconv HTTP status attribute.
	HTTPResponseStatusCode = "http.response.status_code"
)
