module github.com/idsim/idsim/tools/mutate

go 1.26.0
