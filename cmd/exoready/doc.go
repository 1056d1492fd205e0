// Command exoready assesses whether a hybrid Exchange organization can flip
// its mailboxes to cloud management and retire its last Exchange server.
package main
