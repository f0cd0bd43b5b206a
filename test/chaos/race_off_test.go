//go:build !race

package chaos_test

// raceBuild says the test binary was built with the race detector; the
// onward binary it runs is then built with it too (buildOnward).
const raceBuild = false
