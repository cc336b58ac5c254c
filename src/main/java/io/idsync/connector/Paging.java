package io.idsync.connector;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Reading a large result a page at a time, as the reader advances: PingOne's {@code _links.next}, LDAP's paged
 * results cookie, the state store's keyset pages. Only one page is held at a time, so memory stays flat whatever
 * the size of the directory. The one place such iterators are written.
 */
public final class Paging {

    private Paging() {
    }

    /**
     * One page: its items, and where the next page starts.
     *
     * @param more whether there is a next page ({@code next} may be null for it: LDAP's first cookie is)
     */
    public record Page<T, C>(List<T> items, C next, boolean more) {

        public static <T, C> Page<T, C> then(List<T> items, C next) {
            return new Page<>(items, next, true);
        }

        public static <T, C> Page<T, C> last(List<T> items) {
            return new Page<>(items, null, false);
        }
    }

    /** The items of the pages {@code fetch} answers, from {@code start}, fetched only when the reader gets there. */
    public static <T, C> Iterator<T> pages(C start, Function<C, Page<T, C>> fetch) {
        return new Iterator<>() {
            private Iterator<T> page = Collections.emptyIterator();
            private C cursor = start;
            private boolean more = true;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && more) {
                    Page<T, C> next = fetch.apply(cursor);
                    page = next.items().iterator();
                    cursor = next.next();
                    more = next.more();
                }
                return page.hasNext();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    /** Each item as {@code convert} makes it, as the reader advances; an item it turns into null is left out. */
    public static <A, B> Iterator<B> map(Iterator<A> items, Function<A, B> convert) {
        return new Iterator<>() {
            private B next;

            @Override
            public boolean hasNext() {
                while (next == null && items.hasNext()) {
                    next = convert.apply(items.next());
                }
                return next != null;
            }

            @Override
            public B next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                B current = next;
                next = null;
                return current;
            }
        };
    }

    /** The items of each source in turn, each source opened only when the reader gets to it. */
    public static <A, B> Iterator<B> flatMap(Iterator<A> sources, Function<A, Iterator<B>> open) {
        return new Iterator<>() {
            private Iterator<B> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && sources.hasNext()) {
                    current = open.apply(sources.next());
                }
                return current.hasNext();
            }

            @Override
            public B next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** The items in lists of at most {@code size}, each list read when the reader gets to it. */
    public static <T> Iterator<List<T>> chunks(Iterator<T> items, int size) {
        return pages(null, ignored -> {
            List<T> chunk = new ArrayList<>(size);
            while (chunk.size() < size && items.hasNext()) {
                chunk.add(items.next());
            }
            return items.hasNext() ? Page.then(List.of(chunk), null) : Page.last(chunk.isEmpty() ? List.of() : List.of(chunk));
        });
    }
}
