package io.idsync.testsupport;

import com.unboundid.ldap.listener.LDAPListener;
import com.unboundid.ldap.listener.LDAPListenerClientConnection;
import com.unboundid.ldap.listener.LDAPListenerConfig;
import com.unboundid.ldap.listener.LDAPListenerRequestHandler;
import com.unboundid.ldap.listener.ProxyRequestHandler;
import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyDNRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An LDAP proxy on a loopback port in front of a real server (UnboundID's {@link ProxyRequestHandler}), for tests that
 * need to act at an exact point of a conversation: between two pages of a paged search, say, which is where a
 * write that commits while a change feed searches lands in production. Each client connection gets one backend
 * connection, so a paged search's cookie stays valid.
 */
public final class LdapProxy implements AutoCloseable {

    private final LDAPListener listener;
    private final AtomicInteger binds = new AtomicInteger();
    private volatile Predicate<SearchRequestProtocolOp> pageFilter = op -> false;
    private volatile Runnable betweenPages;
    private final AtomicInteger interleaved = new AtomicInteger();
    private volatile Predicate<String> unavailableFor = dn -> false;

    public LdapProxy(String backendHost, int backendPort) throws IOException {
        LDAPListenerConfig config = new LDAPListenerConfig(0, new Interceptor(new ProxyRequestHandler(new SingleServerSet(backendHost, backendPort))));
        config.setListenAddress(InetAddress.getLoopbackAddress());
        listener = new LDAPListener(config);
        listener.startListening();
    }

    public String url() {
        return "ldap://127.0.0.1:" + listener.getListenPort();
    }

    /** How many bind requests reached the proxy (so the server behind it). */
    public int binds() {
        return binds.get();
    }

    /**
     * Runs {@code action} once, the first time a search that {@code which} accepts asks for its second page (a
     * paged-results control with a cookie), before the request goes on to the server.
     */
    public void beforeSecondPage(Predicate<SearchRequestProtocolOp> which, Runnable action) {
        this.pageFilter = which;
        this.betweenPages = action;
    }

    /** Searches whose filter names this attribute (a change feed's {@code entryCSN>=...}). */
    public static Predicate<SearchRequestProtocolOp> searchFor(String attribute) {
        return op -> op.getFilter().toString().toLowerCase(java.util.Locale.ROOT).contains("(" + attribute.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Adds of the entries {@code dns} accepts are answered 52 (unavailable), as a server that is down for them would
     * (LDAP's 503), until called again with another predicate; {@code dn -> false}: the server is back.
     */
    public void unavailableFor(Predicate<String> dns) {
        this.unavailableFor = dns;
    }

    /** How many times the action of {@link #beforeSecondPage} ran (0 or 1). */
    public int interleaved() {
        return interleaved.get();
    }

    @Override
    public void close() {
        listener.shutDown(true);
    }

    /** Passes every request on, running the armed action between two pages. */
    private final class Interceptor extends LDAPListenerRequestHandler {
        private final LDAPListenerRequestHandler proxy;

        Interceptor(LDAPListenerRequestHandler proxy) {
            this.proxy = proxy;
        }

        @Override
        public LDAPListenerRequestHandler newInstance(LDAPListenerClientConnection connection) throws LDAPException {
            return new Interceptor(proxy.newInstance(connection));
        }

        @Override
        public void closeInstance() {
            proxy.closeInstance();
        }

        @Override
        public LDAPMessage processSearchRequest(int id, SearchRequestProtocolOp request, List<Control> controls) {
            Runnable action = betweenPages;
            if (action != null && isLaterPage(controls) && pageFilter.test(request)) {
                synchronized (LdapProxy.this) {
                    if (betweenPages != null) {
                        betweenPages = null;
                        action.run();
                        interleaved.incrementAndGet();
                    }
                }
            }
            return proxy.processSearchRequest(id, request, controls);
        }

        private static boolean isLaterPage(List<Control> controls) {
            for (Control control : controls) {
                if (control.getOID().equals(SimplePagedResultsControl.PAGED_RESULTS_OID)) {
                    try {
                        return new SimplePagedResultsControl(control.getOID(), control.isCritical(), control.getValue()).getCookie().getValueLength() > 0;
                    } catch (LDAPException e) {
                        return false;
                    }
                }
            }
            return false;
        }

        @Override
        public LDAPMessage processBindRequest(int id, BindRequestProtocolOp request, List<Control> controls) {
            binds.incrementAndGet();
            return proxy.processBindRequest(id, request, controls);
        }

        @Override
        public LDAPMessage processAddRequest(int id, AddRequestProtocolOp request, List<Control> controls) {
            if (unavailableFor.test(request.getDN())) {
                return new LDAPMessage(id, new com.unboundid.ldap.protocol.AddResponseProtocolOp(com.unboundid.ldap.sdk.ResultCode.UNAVAILABLE_INT_VALUE,
                        null, "unavailable (the test's outage)", null));
            }
            return proxy.processAddRequest(id, request, controls);
        }

        @Override
        public LDAPMessage processCompareRequest(int id, CompareRequestProtocolOp request, List<Control> controls) {
            return proxy.processCompareRequest(id, request, controls);
        }

        @Override
        public LDAPMessage processDeleteRequest(int id, DeleteRequestProtocolOp request, List<Control> controls) {
            return proxy.processDeleteRequest(id, request, controls);
        }

        @Override
        public LDAPMessage processExtendedRequest(int id, ExtendedRequestProtocolOp request, List<Control> controls) {
            return proxy.processExtendedRequest(id, request, controls);
        }

        @Override
        public LDAPMessage processModifyRequest(int id, ModifyRequestProtocolOp request, List<Control> controls) {
            return proxy.processModifyRequest(id, request, controls);
        }

        @Override
        public LDAPMessage processModifyDNRequest(int id, ModifyDNRequestProtocolOp request, List<Control> controls) {
            return proxy.processModifyDNRequest(id, request, controls);
        }
    }
}
