package core

// Unexported helpers the external tests drive directly.
var (
	InPipelinedTx = inPipelinedTx
	SendWithNext  = sendWithNext
)
