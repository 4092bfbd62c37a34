// The service catalogue table and its lookups. Ports from the IANA registry unless a
// product default is named; evidence for each why is in RISK-CATALOGUE.md §2.
#include "rules/catalogue.hpp"

#include <algorithm>
#include <array>

#include "core/i18n.hpp"

namespace bw {
namespace {

using P = ProtocolSet;
using S = Severity;

// Sorted by first port; no two entries share a port for the same protocol. A why never says how
// serious it is ("low risk"): the profile sets the severity, and the words must agree with it.
constexpr std::array k_services = std::to_array<Service>({
  {17, 17, P::udp, "qotd", N_("QOTD"), N_("the quote-of-the-day service (QOTD)"), "amplification", S::medium,
   N_("Attackers use it to flood other people's networks (DDoS) in your name")},
  {19, 19, P::udp, "chargen", N_("Chargen"), N_("the character generator service (chargen)"), "amplification", S::medium,
   N_("Attackers use it to flood other people's networks (DDoS) in your name")},
  {21, 21, P::tcp, "ftp", N_("FTP (file transfer)"), N_("the file transfer service (FTP)"), "file-sharing", S::high,
   N_("Files can be taken by anyone who guesses the password, and the password travels in clear text")},
  {22, 22, P::tcp, "ssh", N_("SSH (remote command line)"), N_("the remote command line (SSH)"), "remote-shell", S::medium,
   N_("Gives a command line on the computer; robots try passwords all day, so only key logins are acceptable and a VPN is better")},
  {23, 23, P::tcp, "telnet", N_("Telnet (remote command line)"), N_("the remote command line (Telnet)"), "cleartext-login", S::high,
   N_("Gives a command line with a password sent in clear text; the Mirai botnet took over hundreds of thousands of devices this way")},
  {53, 53, P::both, "dns", N_("DNS"), N_("the name server (DNS)"), "amplification", S::medium,
   N_("A name server answering the Internet is used to flood other people's networks (DDoS) in your name")},
  {69, 69, P::udp, "tftp", N_("TFTP (file transfer)"), N_("the trivial file transfer service (TFTP)"), "file-sharing", S::high,
   N_("Hands out files to anyone, with no password at all")},
  {80, 80, P::tcp, "http", N_("HTTP (web or admin page)"), N_("the web server or admin page (HTTP)"), "admin", S::medium,
   N_("Usually the admin page of a NAS, camera or router; attackers try default passwords and known flaws on it")},
  {104, 104, P::tcp, "dicom", N_("DICOM (medical imaging)"), N_("the medical imaging service (DICOM)"), "health", S::critical,
   N_("Medical images and patient records can be downloaded with any DICOM viewer")},
  {110, 110, P::tcp, "pop3", N_("POP3 (mail)"), N_("the mail service (POP3)"), "cleartext-login", S::medium,
   N_("Mail passwords travel in clear text and can be guessed from anywhere")},
  {111, 111, P::both, "portmapper", N_("RPC portmapper"), N_("the RPC portmapper"), "file-sharing", S::medium,
   N_("Lists the computer's network file services to anyone and is abused to flood other networks (DDoS)")},
  {123, 123, P::udp, "ntp", N_("NTP (time)"), N_("the time service (NTP)"), "amplification", S::medium,
   N_("A time server answering the Internet can multiply attack traffic hundreds of times (DDoS)")},
  {135, 135, P::tcp, "msrpc", N_("Windows RPC"), N_("the Windows network services (RPC)"), "file-sharing", S::high,
   N_("Windows' internal network services; worms have spread through them")},
  {137, 138, P::udp, "netbios", N_("NetBIOS (Windows sharing)"), N_("Windows computer naming (NetBIOS)"), "file-sharing", S::high,
   N_("The names and shares of Windows computers leak out, and the service is abused for DDoS")},
  {139, 139, P::tcp, "netbios-session", N_("NetBIOS session (Windows sharing)"), N_("old Windows file sharing (NetBIOS)"), "file-sharing", S::high,
   N_("Old Windows file sharing: files can be read and the computer attacked by worms")},
  {143, 143, P::tcp, "imap", N_("IMAP (mail)"), N_("the mail service (IMAP)"), "cleartext-login", S::medium,
   N_("Mail passwords travel in clear text and can be guessed from anywhere")},
  {161, 162, P::udp, "snmp", N_("SNMP (device management)"), N_("device management (SNMP)"), "amplification", S::high,
   N_("Tells anyone how the device is set up, sometimes lets them change it, and is abused for DDoS")},
  {389, 389, P::udp, "cldap", N_("CLDAP (directory)"), N_("the directory service (CLDAP)"), "amplification", S::medium,
   N_("Attackers use it to flood other people's networks (DDoS) in your name")},
  {443, 443, P::tcp, "https", N_("HTTPS (web or admin page)"), N_("the web server or admin page (HTTPS)"), "admin", S::medium,
   N_("Usually the admin page of a NAS, camera or router; attackers try default passwords and known flaws on it")},
  {445, 445, P::tcp, "smb", N_("SMB (Windows file sharing)"), N_("Windows file sharing (SMB)"), "file-sharing", S::high,
   N_("The WannaCry ransomware spread through it; files can be read or encrypted for ransom")},
  {500, 500, P::udp, "ipsec", N_("IPsec VPN (IKE)"), N_("the IPsec VPN"), "vpn", S::low,
   N_("A VPN is the right way in from outside; check it is yours and kept up to date")},
  {512, 514, P::tcp, "rsh", N_("rexec/rlogin/rsh"), N_("the old remote login services (rlogin, rsh)"), "cleartext-login", S::high,
   N_("Old remote logins that send passwords in clear text, or trust the caller with none")},
  {515, 515, P::tcp, "lpd", N_("LPD (printing)"), N_("the printer (LPD)"), "printer", S::medium,
   N_("Anyone can print, read print jobs, or use the printer to get into the network")},
  {548, 548, P::tcp, "afp", N_("AFP (Mac file sharing)"), N_("Mac file sharing (AFP)"), "file-sharing", S::high,
   N_("Files can be read by anyone who guesses a password")},
  {554, 554, P::both, "rtsp", N_("RTSP (camera video)"), N_("the camera video stream (RTSP)"), "camera", S::high,
   N_("Live video from a camera, often protected only by a default password")},
  {631, 631, P::both, "ipp", N_("IPP (printing)"), N_("the printer (IPP)"), "printer", S::medium,
   N_("Anyone can print, read print jobs, or use the printer to get into the network")},
  {873, 873, P::tcp, "rsync", N_("rsync (file copy)"), N_("the file copy service (rsync)"), "file-sharing", S::high,
   N_("Often lets anyone copy whole folders without a password")},
  {1194, 1194, P::both, "openvpn", N_("OpenVPN"), N_("the OpenVPN server"), "vpn", S::low,
   N_("A VPN is the right way in from outside; check it is yours and kept up to date")},
  {1433, 1433, P::tcp, "mssql", N_("Microsoft SQL Server (database)"), N_("the database (Microsoft SQL Server)"), "database", S::high,
   N_("The whole database can be read, wiped or held for ransom by anyone who gets in")},
  {1434, 1434, P::udp, "mssql-browser", N_("SQL Server browser (database)"), N_("the database browser (SQL Server)"), "database", S::medium,
   N_("Tells anyone which databases run on the computer")},
  {1521, 1521, P::tcp, "oracle", N_("Oracle (database)"), N_("the database (Oracle)"), "database", S::high,
   N_("The whole database can be read, wiped or held for ransom by anyone who gets in")},
  {1701, 1701, P::udp, "l2tp", N_("L2TP VPN"), N_("the L2TP VPN"), "vpn", S::low,
   N_("A VPN is the right way in from outside; check it is yours and kept up to date")},
  {1723, 1723, P::tcp, "pptp", N_("PPTP VPN"), N_("the old PPTP VPN"), "vpn-weak", S::medium,
   N_("An old VPN whose encryption can be broken; replace it with WireGuard")},
  {1900, 1900, P::udp, "ssdp", N_("SSDP (UPnP discovery)"), N_("UPnP discovery (SSDP)"), "amplification", S::high,
   N_("UPnP answering the Internet multiplies attack traffic thirty times and can let strangers add port forwards")},
  {2049, 2049, P::both, "nfs", N_("NFS (file sharing)"), N_("network file sharing (NFS)"), "file-sharing", S::high,
   N_("Shared folders can often be read by anyone, with no password")},
  {2323, 2323, P::tcp, "telnet", N_("Telnet (alternate port)"), N_("the remote command line (Telnet, alternate port)"), "cleartext-login", S::high,
   N_("A second Telnet port that botnets such as Mirai try passwords on")},
  {2375, 2375, P::tcp, "docker", N_("Docker API"), N_("the Docker control interface"), "container-api", S::critical,
   N_("Gives anyone full control of the computer with no password; robots scan for it to mine cryptocurrency")},
  {2376, 2376, P::tcp, "docker-tls", N_("Docker API (TLS)"), N_("the Docker control interface (TLS)"), "container-api", S::high,
   N_("Controls every container on the computer; one leaked certificate gives full control")},
  {2575, 2575, P::tcp, "hl7", N_("HL7 (clinical messages)"), N_("the clinical messaging service (HL7)"), "health", S::critical,
   N_("Clinical messages (patients, results, prescriptions) travel in clear text and can be read or forged")},
  {2762, 2762, P::tcp, "dicom-tls", N_("DICOM over TLS (medical imaging)"), N_("the medical imaging service (DICOM over TLS)"), "health", S::critical,
   N_("Medical images and patient records are reachable; encryption does not stop anyone the server lets in")},
  {3000, 3000, P::tcp, "http-3000", N_("web application (port 3000)"), N_("a web application (port 3000)"), "web", S::medium,
   N_("Often a dashboard or a development server that was never meant to face the Internet")},
  {3074, 3074, P::both, "xbox-live", N_("Xbox Live"), N_("the Xbox Live game service"), "gaming", S::low,
   N_("Game consoles open this port for online play; check that the console is yours and kept up to date")},
  {3283, 3283, P::both, "apple-remote-desktop", N_("Apple Remote Desktop"), N_("Apple Remote Desktop"), "remote-desktop", S::high,
   N_("Lets someone control the Mac's screen; it is also abused for DDoS")},
  {3306, 3306, P::tcp, "mysql", N_("MySQL (database)"), N_("the database (MySQL)"), "database", S::high,
   N_("The whole database can be read, wiped or held for ransom by anyone who gets in")},
  {3389, 3389, P::both, "rdp", N_("RDP (Windows remote desktop)"), N_("Windows remote desktop (RDP)"), "remote-desktop", S::high,
   N_("A favourite way in for ransomware: attackers guess passwords or use flaws such as BlueKeep")},
  {3478, 3480, P::both, "playstation-network", N_("PlayStation Network / STUN"), N_("the PlayStation Network game service"), "gaming", S::low,
   N_("Game consoles open these ports for online play; check that the console is yours and kept up to date")},
  {3702, 3702, P::udp, "ws-discovery", N_("WS-Discovery"), N_("device discovery (WS-Discovery)"), "amplification", S::medium,
   N_("Attackers use it to flood other people's networks (DDoS) in your name")},
  {4242, 4242, P::tcp, "orthanc-dicom", N_("Orthanc DICOM (medical imaging)"), N_("the medical imaging server (Orthanc DICOM)"), "health", S::critical,
   N_("Medical images and patient records can be downloaded with any DICOM viewer")},
  {4500, 4500, P::udp, "ipsec", N_("IPsec VPN (NAT traversal)"), N_("the IPsec VPN"), "vpn", S::low,
   N_("A VPN is the right way in from outside; check it is yours and kept up to date")},
  {5000, 5001, P::tcp, "synology-dsm", N_("Synology DSM (NAS admin)"), N_("the NAS admin page (Synology DSM)"), "admin", S::high,
   N_("Ransomware such as eCh0raix encrypted thousands of NAS reached this way")},
  {5060, 5061, P::both, "sip", N_("SIP (Internet telephony)"), N_("Internet telephony (SIP)"), "voip", S::medium,
   N_("Robots try passwords on it to place expensive calls at your cost")},
  {5353, 5353, P::udp, "mdns", N_("mDNS"), N_("local device discovery (mDNS)"), "amplification", S::medium,
   N_("Leaks the names of your devices and is abused for DDoS")},
  {5432, 5432, P::tcp, "postgresql", N_("PostgreSQL (database)"), N_("the database (PostgreSQL)"), "database", S::high,
   N_("The whole database can be read, wiped or held for ransom by anyone who gets in")},
  {5555, 5555, P::tcp, "adb", N_("Android debugging (ADB)"), N_("Android debugging (ADB)"), "remote-shell", S::high,
   N_("Gives full control of an Android phone, TV or box, with no password")},
  {5683, 5683, P::udp, "coap", N_("CoAP (IoT)"), N_("the IoT control service (CoAP)"), "amplification", S::medium,
   N_("Attackers use it to flood other people's networks (DDoS) in your name")},
  {5900, 5903, P::tcp, "vnc", N_("VNC (remote screen)"), N_("remote screen control (VNC)"), "remote-desktop", S::high,
   N_("Lets someone control the screen; thousands of VNC servers on the Internet need no password at all")},
  {5984, 5984, P::tcp, "couchdb", N_("CouchDB (database)"), N_("the database (CouchDB)"), "database", S::high,
   N_("The whole database can be read, wiped or held for ransom by anyone who gets in")},
  {5985, 5986, P::tcp, "winrm", N_("WinRM (Windows remote management)"), N_("Windows remote management (WinRM)"), "remote-shell", S::high,
   N_("Gives a command line on the Windows computer to anyone who finds a password")},
  {6000, 6010, P::tcp, "x11", N_("X11 (remote display)"), N_("the remote display (X11)"), "remote-desktop", S::high,
   N_("Can let someone watch the screen and type on the keyboard")},
  {6379, 6379, P::tcp, "redis", N_("Redis (database)"), N_("the database (Redis)"), "database", S::high,
   N_("Usually has no password: anyone can read the data or take over the computer")},
  {6443, 6443, P::tcp, "kubernetes-api", N_("Kubernetes API"), N_("the Kubernetes control interface"), "container-api", S::high,
   N_("Controls every container of the cluster")},
  {7547, 7547, P::tcp, "tr-069", N_("TR-069 (ISP remote management)"), N_("the ISP remote management service (TR-069)"), "isp-management", S::high,
   N_("A botnet knocked 900,000 Deutsche Telekom routers offline through this port in 2016")},
  {8000, 8000, P::tcp, "http-8000", N_("web server (port 8000)"), N_("a web server (port 8000)"), "web", S::medium,
   N_("Often a camera, a dashboard or a test server that was never meant to face the Internet")},
  {8042, 8042, P::tcp, "orthanc-web", N_("Orthanc web interface (medical imaging)"), N_("the medical imaging web interface (Orthanc)"), "health", S::critical,
   N_("Anyone can browse and download patients' images from it, often with no password")},
  {8080, 8080, P::tcp, "http-alt", N_("HTTP alternate (admin page)"), N_("the admin page (HTTP, port 8080)"), "admin", S::high,
   N_("Usually a NAS or camera admin page; the DeadBolt ransomware encrypted NAS reached this way")},
  {8086, 8086, P::tcp, "influxdb", N_("InfluxDB (database)"), N_("the database (InfluxDB)"), "database", S::high,
   N_("The whole database can be read or wiped by anyone who gets in")},
  {8123, 8123, P::tcp, "home-assistant", N_("Home Assistant"), N_("the home automation page (Home Assistant)"), "admin", S::high,
   N_("Controls locks, alarms, cameras and heating")},
  {8291, 8291, P::tcp, "winbox", N_("MikroTik Winbox (router admin)"), N_("the router admin tool (Winbox)"), "admin", S::high,
   N_("Router administration; botnets have taken over many routers through it")},
  {8443, 8443, P::tcp, "https-alt", N_("HTTPS alternate (admin page)"), N_("the admin page (HTTPS, port 8443)"), "admin", S::high,
   N_("Usually a NAS or router admin page; attackers try default passwords and known flaws on it")},
  {8554, 8554, P::tcp, "rtsp", N_("RTSP alternate (camera video)"), N_("the camera video stream (RTSP, port 8554)"), "camera", S::high,
   N_("Live video from a camera, often protected only by a default password")},
  {8888, 8888, P::tcp, "http-8888", N_("web server (port 8888)"), N_("a web server (port 8888)"), "web", S::medium,
   N_("Often a dashboard or a test server that was never meant to face the Internet")},
  {9042, 9042, P::tcp, "cassandra", N_("Cassandra (database)"), N_("the database (Cassandra)"), "database", S::high,
   N_("The whole database can be read or wiped by anyone who gets in")},
  {9100, 9100, P::tcp, "jetdirect", N_("JetDirect (printing)"), N_("the printer (JetDirect)"), "printer", S::medium,
   N_("Anyone can print, read print jobs, or use the printer to get into the network")},
  {9200, 9200, P::tcp, "elasticsearch", N_("Elasticsearch (database)"), N_("the search database (Elasticsearch)"), "database", S::high,
   N_("Usually has no password; thousands were wiped by the Meow attack in 2020")},
  {9300, 9300, P::tcp, "elasticsearch-transport", N_("Elasticsearch transport (database)"), N_("the search database (Elasticsearch transport)"), "database", S::high,
   N_("Lets anyone join or read the search database")},
  {10000, 10000, P::tcp, "webmin", N_("Webmin (server admin)"), N_("the server admin page (Webmin)"), "admin", S::high,
   N_("Full control of the server to anyone who finds a password or a flaw")},
  {10250, 10250, P::tcp, "kubelet", N_("Kubernetes kubelet"), N_("the Kubernetes node agent (kubelet)"), "container-api", S::high,
   N_("Runs commands in the containers of the node")},
  {11112, 11112, P::tcp, "dicom", N_("DICOM (medical imaging)"), N_("the medical imaging service (DICOM)"), "health", S::critical,
   N_("Medical images and patient records can be downloaded with any DICOM viewer")},
  {11211, 11211, P::tcp, "memcached", N_("memcached (cache)"), N_("the memory cache (memcached)"), "database", S::high,
   N_("Has no password: anyone can read or change what it holds")},
  {11211, 11211, P::udp, "memcached-udp", N_("memcached (UDP)"), N_("the memory cache (memcached, UDP)"), "amplification", S::high,
   N_("Multiplies attack traffic tens of thousands of times; it fed record DDoS attacks in 2018")},
  {25565, 25565, P::tcp, "minecraft", N_("Minecraft server"), N_("a Minecraft game server"), "gaming", S::low,
   N_("A game server: whoever runs it must keep it up to date")},
  {27015, 27016, P::both, "steam", N_("Steam game server"), N_("a Steam game server"), "gaming", S::low,
   N_("A game server: whoever runs it must keep it up to date")},
  {27017, 27019, P::tcp, "mongodb", N_("MongoDB (database)"), N_("the database (MongoDB)"), "database", S::high,
   N_("Tens of thousands of open MongoDB databases were wiped and held for ransom in 2017")},
  {34567, 34567, P::tcp, "xmeye", N_("XMEye video recorder"), N_("the video recorder (XMEye)"), "camera", S::high,
   N_("Cheap video recorders on this port are taken over by botnets; their cameras can be watched")},
  {37777, 37777, P::tcp, "dahua", N_("Dahua video recorder"), N_("the video recorder (Dahua)"), "camera", S::high,
   N_("Video recorders on this port have known flaws that let strangers watch the cameras")},
  {51820, 51820, P::udp, "wireguard", N_("WireGuard VPN"), N_("the WireGuard VPN"), "vpn", S::low,
   N_("A VPN is the right way in from outside; check it is yours and kept up to date")},
});

constexpr std::array k_classes = std::to_array<ServiceClass>({
  {"health", "health data (medical imaging, clinical messages)"},
  {"remote-desktop", "remote desktop and screen control"},
  {"file-sharing", "file sharing"},
  {"database", "databases"},
  {"remote-shell", "remote command line"},
  {"cleartext-login", "logins sent in clear text"},
  {"admin", "administration pages (router, NAS, camera)"},
  {"camera", "cameras and video recorders"},
  {"printer", "printers"},
  {"container-api", "container control (Docker, Kubernetes)"},
  {"isp-management", "ISP remote management (TR-069)"},
  {"amplification", "services abused to flood other networks (DDoS)"},
  {"vpn-weak", "weak VPN (PPTP)"},
  {"vpn", "VPN"},
  {"gaming", "game consoles and game servers"},
  {"voip", "Internet telephony (SIP)"},
  {"web", "web servers"},
});

bool overlaps(const Service& s, Protocol protocol, uint16_t first, uint16_t last) {
  return covers(s.protocols, protocol) && s.port_first <= last && first <= s.port_last;
}

}  // namespace

bool covers(ProtocolSet set, Protocol p) {
  return set == ProtocolSet::both || (set == ProtocolSet::tcp) == (p == Protocol::tcp);
}

std::string_view to_string(ProtocolSet set) {
  switch (set) {
    case ProtocolSet::tcp: return "TCP";
    case ProtocolSet::udp: return "UDP";
    case ProtocolSet::both: return "TCP and UDP";
  }
  return "?";
}

std::span<const Service> services() {
  return k_services;
}

const Service* find_service(Protocol protocol, uint16_t port) {
  for (const Service& s : k_services) {
    if (overlaps(s, protocol, port, port)) {
      return &s;
    }
  }
  return nullptr;
}

std::vector<const Service*> services_in_range(Protocol protocol, uint16_t first, uint16_t last) {
  std::vector<const Service*> found;
  for (const Service& s : k_services) {
    if (overlaps(s, protocol, first, last)) {
      found.push_back(&s);
    }
  }
  return found;
}

const Service* most_severe_service(Protocol protocol, uint16_t first, uint16_t last) {
  const Service* best = nullptr;
  for (const Service* s : services_in_range(protocol, first, last)) {
    if (best == nullptr || s->severity > best->severity) {
      best = s;
    }
  }
  return best;
}

std::span<const ServiceClass> service_classes() {
  return k_classes;
}

const ServiceClass* find_service_class(std::string_view id) {
  auto it = std::find_if(k_classes.begin(), k_classes.end(),
                         [id](const ServiceClass& c) { return c.id == id; });
  return it == k_classes.end() ? nullptr : &*it;
}

std::string_view class_display_name(std::string_view id) {
  const ServiceClass* c = find_service_class(id);
  return c == nullptr ? id : c->display_name;
}

}  // namespace bw
