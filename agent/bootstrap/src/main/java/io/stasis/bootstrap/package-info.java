/**
 * The bridge between instrumented application code and the agent. These classes are loaded by the
 * bootstrap class loader, so that code in any class loader (plain class path, Spring Boot, servlet
 * containers) can call them; they use JDK classes only and hold the agent behind small interfaces.
 */
package io.stasis.bootstrap;
