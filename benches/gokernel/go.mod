module govm.bench/gokernel

go 1.24
