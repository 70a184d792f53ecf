// Package chattest holds one realistic support-bot conversation — a system prompt, a user
// turn, a tool round and a long answer, about 2 KB in all — for the benchmarks of every
// stage, so that their costs per span describe the same content.
package chattest

const (
	System = "You are a customer support assistant for an online travel agency. Answer politely, " +
		"never promise refunds that policy does not allow, cite the booking reference when you have one, " +
		"and call the lookup_booking tool before discussing any specific reservation. Keep answers short: " +
		"at most five sentences unless the customer asks for detail. Reply in the customer's language. " +
		"Escalate to a human agent when the customer is upset, mentions a lawyer, or asks twice for something " +
		"you cannot do. Never reveal internal notes, supplier rates or another customer's data. When a change " +
		"costs money, state the exact amount and the currency before asking for confirmation, and never " +
		"confirm a change without an explicit yes from the customer."
	User      = "Hi, I booked a hotel in Lisbon for next weekend and I need to change the dates to the following week. Booking reference TRV-88314. Is that possible without paying a fee?"
	Assistant = "Let me check your booking first so I can tell you exactly what the change policy allows."
	ToolArgs  = `{"booking_reference":"TRV-88314","include_policy":true}`
	ToolOut   = `{"hotel":"Casa do Rio","checkin":"2026-12-05","checkout":"2026-12-07","rate":"flexible","change_fee":0,"deadline":"2026-12-03T18:00:00Z"}`
	Answer    = "Good news: your booking TRV-88314 at Casa do Rio is on a flexible rate, so you can move it to the following week at no fee as long as you change it before 3 December at 18:00 UTC. Would you like me to move it to 12 to 14 December? I can also check whether the same room type is still available for those dates before confirming anything. " +
		"If the river-view room is no longer free for the new dates, the hotel offers a city-view room of the same size at the same " +
		"price, or an upgrade to a junior suite for 35 EUR per night. Breakfast stays included either way, and the free " +
		"cancellation deadline moves with the booking, so you keep the same flexibility after the change."
	// PII is appended to User in one span in five, as in the redaction targets.
	PII = " You can reach me at maria.silva@example.com or +351 912 345 678."
)
