// etcd for the cluster tests: etcd's own main package sits behind replace directives in its
// repository's root module, so this is the same three lines against go.etcd.io/etcd/server/v3.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
