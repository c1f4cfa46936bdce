package bad
func F( {
}
