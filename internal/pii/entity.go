package pii

// Entity names a kind of sensitive value. Built-in names are upper snake case; custom
// detectors bring their own names.
type Entity string

// PII entities.
const (
	Email          Entity = "EMAIL"
	Phone          Entity = "PHONE"
	CreditCard     Entity = "CREDIT_CARD"
	IBAN           Entity = "IBAN"
	USSSN          Entity = "US_SSN"
	IPAddress      Entity = "IP_ADDRESS"
	URLCredentials Entity = "URL_CREDENTIALS"
	CryptoWallet   Entity = "CRYPTO_WALLET"
)

// Secret entities.
const (
	OpenAIKey        Entity = "OPENAI_API_KEY"
	AnthropicKey     Entity = "ANTHROPIC_API_KEY"
	AWSAccessKey     Entity = "AWS_ACCESS_KEY"
	AWSSecretKey     Entity = "AWS_SECRET_KEY"
	GitHubToken      Entity = "GITHUB_TOKEN"
	GitLabToken      Entity = "GITLAB_TOKEN"
	SlackToken       Entity = "SLACK_TOKEN"
	SlackWebhook     Entity = "SLACK_WEBHOOK"
	StripeKey        Entity = "STRIPE_KEY"
	GoogleAPIKey     Entity = "GOOGLE_API_KEY"
	JWT              Entity = "JWT"
	PrivateKey       Entity = "PRIVATE_KEY"
	Authorization    Entity = "AUTHORIZATION"
	ConnectionString Entity = "CONNECTION_STRING"
	GenericSecret    Entity = "GENERIC_SECRET"
	// Secret is the value of an attribute or JSON key whose name denotes a secret
	// (authorization, api_key, password, cookie, ...), whatever the value looks like.
	Secret Entity = "SECRET"
)

// BuiltIn lists every entity the built-in detectors report, PII first.
var BuiltIn = []Entity{
	Email, Phone, CreditCard, IBAN, USSSN, IPAddress, URLCredentials, CryptoWallet,
	OpenAIKey, AnthropicKey, AWSAccessKey, AWSSecretKey, GitHubToken, GitLabToken,
	SlackToken, SlackWebhook, StripeKey, GoogleAPIKey, JWT, PrivateKey, Authorization,
	ConnectionString, GenericSecret,
}

// IsBuiltIn reports whether e is reported by a built-in detector (or is Secret).
func IsBuiltIn(e Entity) bool {
	if e == Secret {
		return true
	}
	for _, b := range BuiltIn {
		if b == e {
			return true
		}
	}
	return false
}

// Finding is one sensitive value found in a text: Text[Start:End]. It never carries the
// value itself, so findings can be logged and counted.
type Finding struct {
	Entity Entity
	Start  int
	End    int
}
