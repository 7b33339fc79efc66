/** The command line: parses arguments into the library's types and calls it. No container logic lives here. */
package caixa.cli;
