module github.com/govm-net/vm

go 1.24
