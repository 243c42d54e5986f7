"""The REST API: one view per operation, each calling the same service as the pages.

Citizens submit and follow their demand without an account (the query code is the proof, sent
in the body, never in the URL). Staff authenticate by session or token."""
