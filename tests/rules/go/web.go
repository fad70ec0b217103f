package main

import (
	"crypto/tls"
	"database/sql"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/golang-jwt/jwt/v5"
)

var db *sql.DB

func orders(w http.ResponseWriter, r *http.Request) {
	customer := r.URL.Query().Get("customer")
	// ruleid: RRA-GO-SQLI
	rows, _ := db.Query("SELECT * FROM orders WHERE customer = '" + customer + "'")
	// ok: RRA-GO-SQLI
	safe, _ := db.Query("SELECT * FROM orders WHERE customer = $1", customer)
	defer rows.Close()
	defer safe.Close()
}

func convert(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("file")
	// ruleid: RRA-GO-COMMAND-INJECTION
	exec.Command("sh", "-c", "convert "+name+" out.png").Run()
	// ok: RRA-GO-COMMAND-INJECTION
	exec.Command("convert", "--", "fixed.png", "out.png").Run()
}

func download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: RRA-GO-PATH-TRAVERSAL
	data, _ := os.ReadFile("/srv/files/" + name)
	// ok: RRA-GO-PATH-TRAVERSAL
	clean, _ := os.ReadFile(filepath.Join("/srv/files", filepath.Base(name)))
	w.Write(append(data, clean...))
}

func preview(w http.ResponseWriter, r *http.Request) {
	// ruleid: RRA-GO-SSRF
	resp, _ := http.Get(r.URL.Query().Get("url"))
	// ok: RRA-GO-SSRF
	status, _ := http.Get("https://status.example.com/api")
	defer resp.Body.Close()
	defer status.Body.Close()
}

func login(w http.ResponseWriter, r *http.Request) {
	// ruleid: RRA-GO-OPEN-REDIRECT
	http.Redirect(w, r, r.FormValue("next"), http.StatusFound)
	// ok: RRA-GO-OPEN-REDIRECT
	http.Redirect(w, r, "/home", http.StatusFound)
}

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: RRA-GO-XSS
	fmt.Fprintf(w, "<h1>Hello "+name+"</h1>")
	// ruleid: RRA-GO-XSS
	page := template.HTML(name)
	_ = page
}

func client() *http.Client {
	// ruleid: RRA-GO-TLS-INSECURE
	insecure := &tls.Config{InsecureSkipVerify: true}
	// ok: RRA-GO-TLS-INSECURE
	strict := &tls.Config{MinVersion: tls.VersionTLS12}
	_ = strict
	return &http.Client{Transport: &http.Transport{TLSClientConfig: insecure}}
}

func remember(w http.ResponseWriter) {
	// ruleid: RRA-GO-COOKIE-FLAGS
	http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc"})
	// ok: RRA-GO-COOKIE-FLAGS
	http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", Secure: true, HttpOnly: true})
}

func claims(token string) {
	parser := jwt.NewParser()
	// ruleid: RRA-GO-JWT-NO-VERIFY
	parsed, _, _ := parser.ParseUnverified(token, jwt.MapClaims{})
	_ = parsed
}
