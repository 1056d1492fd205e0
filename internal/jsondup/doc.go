// Package jsondup finds a property name that appears twice in one object
// of a JSON document. encoding/json keeps the last of the two without a
// word, so a document edited or merged by hand ("complete": false, then
// "complete": true) would be read as whatever came last.
package jsondup
