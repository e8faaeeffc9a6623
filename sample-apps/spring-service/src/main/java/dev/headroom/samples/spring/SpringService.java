package dev.headroom.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An ordinary Spring Boot service (web, Actuator, Prometheus) with no Headroom code: what a user
 * runs the agent with. {@code --server.port} picks the port; {@code /actuator/prometheus} is
 * where the agent's meters must show up.
 */
@SpringBootApplication
public class SpringService {

    public static void main(String[] args) {
        SpringApplication.run(SpringService.class, args);
    }
}
