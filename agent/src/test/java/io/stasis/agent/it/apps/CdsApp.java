package io.stasis.agent.it.apps;

import io.stasis.api.Stasis;
import java.util.List;

/**
 * A small application of several classes, none of which Stasis instruments, for class-data sharing:
 * each of its classes should come from the archive whether or not the agent is there.
 */
public final class CdsApp {

    record Line(String text) {
    }

    interface Shape {
        double area();
    }

    record Square(double side) implements Shape {
        @Override
        public double area() {
            return side * side;
        }
    }

    private CdsApp() {
    }

    public static void main(String[] args) {
        List<Shape> shapes = List.of(new Square(2), new Square(3));
        double total = shapes.stream().mapToDouble(Shape::area).sum();
        System.out.println(new Line("area=" + total + " agent-active=" + Stasis.isActive()).text());
    }
}
