package dev.tmserverless.core.geo;

import static dev.tmserverless.core.geo.Fixtures.wkt;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class ExportsTest {

    static final List<Exports.ExportTask> TASKS = List.of(
            Exports.ExportTask.of(1, TileMath.squareTask(1010, 1399, 11)),
            new Exports.ExportTask(2, wkt("MULTIPOLYGON (((0 0, 0.00001 0, 0.00001 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.5 5.2, 5.8 5.2, 5.8 5.5, 5.5 5.2)))")));

    static Document parse(String xml, boolean ns) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(ns);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nl = e.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            if (!(nl.item(i) instanceof Element c)) continue;
            String n = c.getLocalName() != null ? c.getLocalName() : c.getTagName();
            if (name == null || name.equals(n)) out.add(c);
        }
        return out;
    }

    @Test
    void osmXmlOneClosedWayPerTaskWithNegativeIds() throws Exception {
        Document d = parse(Exports.osmXml(TASKS), false);
        Element osm = d.getDocumentElement();
        assertThat(osm.getTagName()).isEqualTo("osm");
        assertThat(osm.getAttribute("upload")).isEqualTo("never");
        assertThat(osm.getAttribute("version")).isEqualTo("0.6");
        Map<String, Coordinate> nodes = new HashMap<>();
        List<Element> ways = new ArrayList<>();
        Set<String> seenNodeIds = new HashSet<>();
        for (Element e : children(osm, null)) {
            if (e.getTagName().equals("node")) {
                assertThat(Long.parseLong(e.getAttribute("id"))).isNegative();
                assertThat(seenNodeIds.add(e.getAttribute("id"))).isTrue();
                nodes.put(e.getAttribute("id"), new Coordinate(Double.parseDouble(e.getAttribute("lon")), Double.parseDouble(e.getAttribute("lat"))));
            } else {
                assertThat(e.getTagName()).isEqualTo("way");
                // Every node a way uses comes before it.
                for (Element nd : children(e, "nd")) assertThat(nodes).containsKey(nd.getAttribute("ref"));
                ways.add(e);
            }
        }
        assertThat(ways).extracting(w -> w.getAttribute("id")).containsExactly("-1", "-2");
        List<Element> nds = children(ways.get(0), "nd");
        assertThat(nds).hasSize(5);
        assertThat(nds.getFirst().getAttribute("ref")).isEqualTo(nds.getLast().getAttribute("ref"));
        Coordinate[] ring = TileMath.square(1010, 1399, 11).getCoordinates();
        for (int i = 0; i < 5; i++) assertThat(nodes.get(nds.get(i).getAttribute("ref"))).isEqualTo(ring[i]);
        // Two-part task: both exterior rings in the one way, each closed; holes are not exported.
        assertThat(children(ways.get(1), "nd")).hasSize(8);
        assertThat(nodes).hasSize(4 + 3 + 3);
        assertThat(Exports.osmXml(TASKS)).contains("lon=\"0.00001\"").doesNotContain("E-");
    }

    @Test
    void gpxIsSchemaOrderedGpx11() throws Exception {
        String xml = Exports.gpx(42, TASKS, Instant.parse("2026-01-02T03:04:05Z"));
        Document d = parse(xml, true);
        Element gpx = d.getDocumentElement();
        assertThat(gpx.getNamespaceURI()).isEqualTo("http://www.topografix.com/GPX/1/1");
        assertThat(gpx.getAttribute("version")).isEqualTo("1.1");
        List<String> order = new ArrayList<>();
        for (Element e : children(gpx, null)) order.add(e.getLocalName());
        assertThat(order.getFirst()).isEqualTo("metadata");
        assertThat(order.getLast()).isEqualTo("trk");
        assertThat(order.subList(1, order.size() - 1)).hasSize(4 + 3 + 3).allMatch("wpt"::equals);
        Element trk = children(gpx, "trk").getFirst();
        assertThat(children(trk, "name").getFirst().getTextContent()).isEqualTo("Task for project 42. Do not edit outside of this area!");
        List<Element> segs = children(trk, "trkseg");
        assertThat(segs).hasSize(3);
        assertThat(children(segs.get(0), "trkpt")).hasSize(5);
        assertThat(xml).contains("<time>2026-01-02T03:04:05Z</time>");
        Node meta = children(gpx, "metadata").getFirst();
        assertThat(((Element) meta).getElementsByTagNameNS("*", "link").item(0).getAttributes().getNamedItem("href").getNodeValue())
                .isEqualTo("https://github.com/hotosm/tasking-manager");
    }

    @Test
    void numbersAreShortestPlainDecimals() {
        assertThat(Exports.number(-74.0)).isEqualTo("-74.0");
        assertThat(Exports.number(1e-5)).isEqualTo("0.00001");
        assertThat(Exports.number(-2.4609375)).isEqualTo("-2.4609375");
        assertThat(Exports.number(54.876606647)).isEqualTo("54.876606647");
        assertThat(Exports.number(1.5e20)).isEqualTo("150000000000000000000.0");
        assertThat(Exports.osmFileName(7)).isEqualTo("HOT-project-7.osm");
        assertThat(Exports.gpxFileName(7)).isEqualTo("HOT-project-7.gpx");
    }
}
