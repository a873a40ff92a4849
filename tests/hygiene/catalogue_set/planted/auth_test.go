package auth

const adminToken = "eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAic3ZjLTEyMyIsICJpYXQiOiAxNzE4MDAwMDAwLCAic2NvcGUiOiAiYWRtaW4ifQ.Qym7v-jzuWhI1xCraLDwxGVLzZNs6dupRimp_7gJbRBH1TdVUudk0LZ6A5KpMa071mJtDMw1s3A0TIRHt7lWJA"

func TestAdmin(t *testing.T) { verify(t, adminToken) }
