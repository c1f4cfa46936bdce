package bad

type Node struct {
	Name     string
	Children []Node
}

func Tree(root Node) uint64 { return uint64(len(root.Children)) }
