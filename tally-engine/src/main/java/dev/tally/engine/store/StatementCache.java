package dev.tally.engine.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the embedded store's prepared statements for reuse: {@code prepareStatement(sql)} on the connection it wraps
 * hands out an idle statement of the same SQL when there is one (else prepares one), and {@code close()} on what it
 * handed out clears the parameters and batch and puts the statement back instead of finalizing it. SQLite compiles
 * a statement with the triggers and foreign keys of every table it writes, so preparing costs more than running
 * most of the statements a billing run executes; the SQLite driver has no cache of its own.
 *
 * <p>A statement handed out is never handed out again before it is closed (work that prepares the same SQL while
 * it still reads a result gets a second statement). At most {@link #MAX_IDLE} idle statements are kept, the least
 * recently used finalized first. Only {@code prepareStatement(String)} is cached; every other call goes to the
 * driver's connection as it is.
 */
final class StatementCache implements InvocationHandler {
    static final int MAX_IDLE = 256;

    private final Connection target;
    private final Map<String, PreparedStatement> idle = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= MAX_IDLE) {
                return false;
            }
            closeQuietly(eldest.getValue());
            return true;
        }
    };

    private StatementCache(Connection target) {
        this.target = target;
    }

    /** The connection with cached prepared statements; closing it finalizes the idle ones first. */
    static Connection wrap(Connection target) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new StatementCache(target));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("prepareStatement") && args != null && args.length == 1 && args[0] instanceof String sql) {
            return handOut(sql);
        }
        if (name.equals("close") && (args == null || args.length == 0)) {
            closeIdle();
        }
        if (name.equals("unwrap") || name.equals("isWrapperFor")) {
            return call(target, method, args);
        }
        if (name.equals("equals") && args != null && args.length == 1) {
            return proxy == args[0];
        }
        if (name.equals("hashCode") && args == null) {
            return System.identityHashCode(proxy);
        }
        return call(target, method, args);
    }

    private synchronized PreparedStatement handOut(String sql) throws SQLException {
        PreparedStatement ps = idle.remove(sql);
        if (ps == null || ps.isClosed()) {
            ps = target.prepareStatement(sql);
        }
        return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, new Lease(sql, ps));
    }

    private synchronized void giveBack(String sql, PreparedStatement ps) {
        if (idle.containsKey(sql)) {
            closeQuietly(ps); // a second statement of the same SQL (nested use): keep one
        } else {
            idle.put(sql, ps);
        }
    }

    private synchronized void closeIdle() {
        List<PreparedStatement> all = new ArrayList<>(idle.values());
        idle.clear();
        all.forEach(StatementCache::closeQuietly);
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException e) {
            // finalizing a statement we no longer use: nothing to do about it
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** One hand-out of a statement: {@code close()} returns it to the cache, reset for its next use. */
    private final class Lease implements InvocationHandler {
        private final String sql;
        private final PreparedStatement ps;
        private ResultSet last;
        private boolean closed;

        Lease(String sql, PreparedStatement ps) {
            this.sql = sql;
            this.ps = ps;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("close") && (args == null || args.length == 0)) {
                release();
                return null;
            }
            if (name.equals("isClosed") && args == null) {
                return closed || ps.isClosed();
            }
            if (name.equals("equals") && args != null && args.length == 1) {
                return proxy == args[0];
            }
            if (name.equals("hashCode") && args == null) {
                return System.identityHashCode(proxy);
            }
            if (closed) {
                throw new SQLException("statement is closed");
            }
            Object out = call(ps, method, args);
            if (out instanceof ResultSet rs) {
                last = rs;
            }
            return out;
        }

        private void release() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (last != null && !last.isClosed()) {
                    last.close(); // resets the statement: an unfinished read holds no snapshot open
                } else if (last == null) {
                    ResultSet pending = ps.getResultSet(); // a row-returning execute() whose rows were not asked for
                    if (pending != null) {
                        pending.close();
                    }
                }
                ps.clearParameters();
                ps.clearBatch();
            } catch (SQLException e) {
                closeQuietly(ps);
                return;
            }
            giveBack(sql, ps);
        }
    }
}
