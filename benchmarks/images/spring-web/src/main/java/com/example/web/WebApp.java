package com.example.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** A small Spring Boot web service: a request counter and an in-memory cache that warms up as it serves. */
@SpringBootApplication
@RestController
public class WebApp {

    private final AtomicLong requests = new AtomicLong();
    private final Map<Integer, String> cache = new ConcurrentHashMap<>();

    public static void main(String[] args) {
        SpringApplication.run(WebApp.class, args);
    }

    @GetMapping("/hello")
    String hello() {
        return "requests=" + requests.incrementAndGet() + " cache=" + cache.size() + "\n";
    }

    @GetMapping("/item/{id}")
    String item(@PathVariable("id") int id) {
        requests.incrementAndGet();
        return cache.computeIfAbsent(id, k -> "item-" + k + "-" + Integer.toHexString(k * 31)) + "\n";
    }
}
