package shop;

import java.io.File;
import java.io.FileInputStream;
import java.io.ObjectInputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.Statement;
import javax.net.ssl.X509TrustManager;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import io.jsonwebtoken.Jwts;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.*;

@RestController
public class ShopController {
    private JdbcTemplate jdbc;
    private Connection connection;

    @GetMapping("/orders")
    public Object orders(@RequestParam String customer) throws Exception {
        Statement statement = connection.createStatement();
        // ruleid: RRA-JAVA-SQLI
        statement.executeQuery("SELECT * FROM orders WHERE customer = '" + customer + "'");
        // ok: RRA-JAVA-SQLI
        return jdbc.queryForList("SELECT * FROM orders WHERE customer = ?", customer);
    }

    @PostMapping("/convert")
    public void convert(@RequestParam("file") String file) throws Exception {
        // ruleid: RRA-JAVA-COMMAND-INJECTION
        Runtime.getRuntime().exec("convert " + file + " out.png");
        // ok: RRA-JAVA-COMMAND-INJECTION
        new ProcessBuilder("convert", "fixed.png", "out.png").start();
    }

    @GetMapping("/files/{name}")
    public byte[] download(@PathVariable String name) throws Exception {
        // ruleid: RRA-JAVA-PATH-TRAVERSAL
        return Files.readAllBytes(Paths.get("/srv/files", name));
    }

    @GetMapping("/preview")
    public Object preview(HttpServletRequest request) throws Exception {
        String target = request.getParameter("url");
        // ruleid: RRA-JAVA-SSRF
        return new URL(target).openStream().readAllBytes();
    }

    @GetMapping("/login")
    public String login(@RequestParam String next) {
        // ruleid: RRA-JAVA-OPEN-REDIRECT
        return "redirect:" + next;
    }

    @GetMapping("/home")
    public String home() {
        // ok: RRA-JAVA-OPEN-REDIRECT
        return "redirect:/dashboard";
    }

    @GetMapping("/hello")
    public void hello(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String name = request.getParameter("name");
        // ruleid: RRA-JAVA-XSS
        response.getWriter().write("<h1>Hello " + name + "</h1>");
    }

    @PostMapping("/restore")
    public Object restore(HttpServletRequest request) throws Exception {
        // ruleid: RRA-JAVA-UNSAFE-DESERIALISATION
        return new ObjectInputStream(request.getInputStream()).readObject();
    }

    public Object claims(String token) {
        // ruleid: RRA-JAVA-JWT
        return Jwts.parser().setSigningKey("change-me").parseClaimsJws(token).getBody();
    }

    public void remember(HttpServletResponse response) {
        Cookie cookie = new Cookie("session", "abc");
        // ruleid: RRA-JAVA-COOKIE-FLAGS
        response.addCookie(cookie);
    }

    public void rememberSafely(HttpServletResponse response) {
        Cookie cookie = new Cookie("session", "abc");
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        // ok: RRA-JAVA-COOKIE-FLAGS
        response.addCookie(cookie);
    }
}

class TrustAll implements X509TrustManager {
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    // ruleid: RRA-JAVA-TLS-TRUST-ALL
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}
