package dev.tally.core.expression;

import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Recursive-descent parser from source text to a {@link Node} tree, enforcing
 * the limits declared on {@link Expression}. Grammar:
 *
 * <pre>
 * expression := term (('+' | '-') term)*
 * term       := unary (('*' | '/') unary)*
 * unary      := '-' unary | primary
 * primary    := number | path | call | '(' expression ')'
 * call       := name '(' argument (',' argument)* ')'
 * </pre>
 */
final class Parser {

    /** The parse result: the tree and every field path it reads, in order of first use. */
    record Result(Node root, Set<String> fieldPaths) {
        Result {
            fieldPaths = Collections.unmodifiableSet(new LinkedHashSet<>(fieldPaths));
        }
    }

    private static final String OPERAND = "a number, field, function call or '('";
    private static final String FUNCTIONS = "one of abs, ceil, floor, lookup, max, min, round";

    private final String source;
    private final List<Token> tokens;
    private final Set<String> fieldPaths = new LinkedHashSet<>();
    private int index;
    private int depth;

    private Parser(String source, List<Token> tokens) {
        this.source = source;
        this.tokens = tokens;
    }

    static Result parse(String source) {
        if (source.length() > Expression.MAX_SOURCE_LENGTH) {
            throw new InvalidExpressionException(source, Expression.MAX_SOURCE_LENGTH,
                    "expression is too long (" + source.length() + " characters)",
                    "at most " + Expression.MAX_SOURCE_LENGTH + " characters");
        }
        Parser parser = new Parser(source, Lexer.tokenize(source));
        Node root = parser.expression();
        Token rest = parser.peek();
        if (!(rest instanceof Token.End)) {
            throw parser.unexpected(rest, "an operator or end of input");
        }
        return new Result(root, parser.fieldPaths);
    }

    private Node expression() {
        Node left = term();
        while (true) {
            if (peekSymbol('+')) {
                index++;
                left = new Node.Add(left, term());
            } else if (peekSymbol('-')) {
                index++;
                left = new Node.Subtract(left, term());
            } else {
                return left;
            }
        }
    }

    private Node term() {
        Node left = unary();
        while (true) {
            if (peekSymbol('*')) {
                index++;
                left = new Node.Multiply(left, unary());
            } else if (peekSymbol('/')) {
                index++;
                left = new Node.Divide(left, unary());
            } else {
                return left;
            }
        }
    }

    private Node unary() {
        if (!peekSymbol('-')) {
            return primary();
        }
        Token minus = next();
        enter(minus);
        Node operand = unary();
        depth--;
        return operand instanceof Node.Literal literal
                ? new Node.Literal(literal.value().negate())
                : new Node.Negate(operand);
    }

    private Node primary() {
        Token token = next();
        switch (token) {
            case Token.Number number -> {
                try {
                    return new Node.Literal(DecimalInput.parse(number.text(), DecimalInput.MEASUREMENTS));
                } catch (InvalidInputException e) {
                    throw new InvalidExpressionException(source, number.start(), "number literal " + e.problem());
                }
            }
            case Token.Path path when peekSymbol('(') -> {
                return call(path);
            }
            case Token.Path path -> {
                fieldPaths.add(path.path().text());
                return new Node.Field(path.path());
            }
            case Token.Symbol symbol when symbol.is('(') -> {
                enter(symbol);
                Node inner = expression();
                expectSymbol(')');
                depth--;
                return inner;
            }
            case Token.Text text -> throw stringNotAllowed(text);
            default -> throw unexpected(token, OPERAND);
        }
    }

    private Node call(Token.Path name) {
        String function = name.path().segments().get(0);
        if (!name.bareIdentifier() || !isFunction(function)) {
            throw new InvalidExpressionException(source, name.start(),
                    "unknown function " + quote(name.path().text()), FUNCTIONS);
        }
        enter(name);
        List<Argument> arguments = arguments(function);
        depth--;
        return switch (function) {
            case "min" -> new Node.Min(numbers(name, function, arguments, 2));
            case "max" -> new Node.Max(numbers(name, function, arguments, 2));
            case "ceil" -> new Node.Ceil(single(name, function, arguments));
            case "floor" -> new Node.Floor(single(name, function, arguments));
            case "abs" -> new Node.Abs(single(name, function, arguments));
            case "round" -> round(name, arguments);
            case "lookup" -> lookup(name, arguments);
            default -> throw new IllegalStateException("function list out of sync: " + function);
        };
    }

    private static boolean isFunction(String name) {
        return switch (name) {
            case "min", "max", "ceil", "floor", "abs", "round", "lookup" -> true;
            default -> false;
        };
    }

    /** A parsed call argument: either a string literal or a numeric expression. */
    private sealed interface Argument {
        Token start();
    }

    private record StringArgument(Token.Text start) implements Argument {
    }

    private record NumericArgument(Token start, Node node) implements Argument {
    }

    private List<Argument> arguments(String function) {
        expectSymbol('(');
        List<Argument> arguments = new ArrayList<>();
        if (peekSymbol(')')) {
            index++;
            return arguments;
        }
        while (true) {
            Token start = peek();
            if (arguments.size() == Expression.MAX_FUNCTION_ARGUMENTS) {
                throw new InvalidExpressionException(source, start.start(),
                        "too many arguments to " + function,
                        "at most " + Expression.MAX_FUNCTION_ARGUMENTS);
            }
            if (start instanceof Token.Text text) {
                index++;
                arguments.add(new StringArgument(text));
            } else {
                arguments.add(new NumericArgument(start, expression()));
            }
            Token separator = next();
            if (separator instanceof Token.Symbol symbol && symbol.is(')')) {
                return arguments;
            }
            if (!(separator instanceof Token.Symbol symbol && symbol.is(','))) {
                throw unexpected(separator, "',' or ')'");
            }
        }
    }

    private List<Node> numbers(Token.Path name, String function, List<Argument> arguments, int atLeast) {
        if (arguments.size() < atLeast) {
            throw new InvalidExpressionException(source, name.start(),
                    "too few arguments to " + function + " (" + arguments.size() + ")",
                    "at least " + atLeast);
        }
        List<Node> nodes = new ArrayList<>(arguments.size());
        for (Argument argument : arguments) {
            nodes.add(numeric(argument));
        }
        return nodes;
    }

    private Node single(Token.Path name, String function, List<Argument> arguments) {
        if (arguments.size() != 1) {
            throw new InvalidExpressionException(source, name.start(),
                    "wrong number of arguments to " + function + " (" + arguments.size() + ")",
                    "exactly 1");
        }
        return numeric(arguments.get(0));
    }

    private Node round(Token.Path name, List<Argument> arguments) {
        if (arguments.size() != 2) {
            throw new InvalidExpressionException(source, name.start(),
                    "wrong number of arguments to round (" + arguments.size() + ")",
                    "exactly 2: round(x, digits)");
        }
        Node operand = numeric(arguments.get(0));
        Argument digits = arguments.get(1);
        String expected = "an integer literal between -" + Node.Round.MAX_DIGITS + " and " + Node.Round.MAX_DIGITS;
        if (digits instanceof NumericArgument numeric
                && numeric.node() instanceof Node.Literal literal
                && literal.value().stripTrailingZeros().scale() <= 0
                && literal.value().abs().compareTo(BigDecimal.valueOf(Node.Round.MAX_DIGITS)) <= 0) {
            return new Node.Round(operand, literal.value().intValueExact());
        }
        throw new InvalidExpressionException(source, digits.start().start(), "invalid digits for round", expected);
    }

    private Node lookup(Token.Path name, List<Argument> arguments) {
        if (arguments.size() < 3) {
            throw new InvalidExpressionException(source, name.start(),
                    "too few arguments to lookup (" + arguments.size() + ")",
                    "lookup(field, 'key', value, ..., [default])");
        }
        Argument first = arguments.get(0);
        if (!(first instanceof NumericArgument key && key.node() instanceof Node.Field field)) {
            throw new InvalidExpressionException(source, first.start().start(),
                    "invalid lookup key", "a field path");
        }
        Map<String, Node> cases = new HashMap<>();
        int i = 1;
        for (; i + 1 < arguments.size(); i += 2) {
            Argument keyArgument = arguments.get(i);
            if (!(keyArgument instanceof StringArgument literal)) {
                throw new InvalidExpressionException(source, keyArgument.start().start(),
                        "invalid lookup case", "a 'quoted' string key");
            }
            String keyValue = literal.start().value();
            if (cases.containsKey(keyValue)) {
                throw new InvalidExpressionException(source, keyArgument.start().start(),
                        "duplicate lookup key " + literal.start().quoted());
            }
            cases.put(keyValue, numeric(arguments.get(i + 1)));
        }
        Optional<Node> fallback = i < arguments.size()
                ? Optional.of(numeric(arguments.get(i)))
                : Optional.empty();
        return new Node.Lookup(field.path(), cases, fallback);
    }

    private Node numeric(Argument argument) {
        return switch (argument) {
            case NumericArgument numeric -> numeric.node();
            case StringArgument text -> throw stringNotAllowed(text.start());
        };
    }

    private InvalidExpressionException stringNotAllowed(Token.Text text) {
        return new InvalidExpressionException(source, text.start(),
                "unexpected " + text.describe(), OPERAND + "; strings are only allowed as lookup keys");
    }

    private void enter(Token token) {
        if (++depth > Expression.MAX_NESTING_DEPTH) {
            throw new InvalidExpressionException(source, token.start(),
                    "expression nested too deeply",
                    "at most " + Expression.MAX_NESTING_DEPTH + " levels of parentheses, calls and unary minus");
        }
    }

    private void expectSymbol(char symbol) {
        Token token = next();
        if (!(token instanceof Token.Symbol s && s.is(symbol))) {
            throw unexpected(token, "'" + symbol + "'");
        }
    }

    private boolean peekSymbol(char symbol) {
        return peek() instanceof Token.Symbol s && s.is(symbol);
    }

    private Token peek() {
        return tokens.get(index);
    }

    private Token next() {
        Token token = tokens.get(index);
        if (!(token instanceof Token.End)) {
            index++;
        }
        return token;
    }

    private InvalidExpressionException unexpected(Token token, String expected) {
        return new InvalidExpressionException(source, token.start(), "unexpected " + token.describe(), expected);
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }
}
