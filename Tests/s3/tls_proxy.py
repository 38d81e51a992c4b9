"""A TLS front for a plain-HTTP S3 peer, with certificates from a private CA made on the spot.

    ca = PrivateCA(directory)             # ca.pem (the CA to trust), server.pem / server-key.pem
    proxy = TLSProxy(peer_endpoint, ca).start()
    proxy.endpoint                        # https://127.0.0.1:<port>
    proxy.handshakes, proxy.failed        # completed and refused TLS handshakes
    proxy.stop()

The proxy terminates TLS (its certificate names IP 127.0.0.1, signed by the CA) and passes the
bytes through unchanged, so the Host header the client signed is the one the peer checks.
"""

import datetime
import ipaddress
import socket
import ssl
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


class PrivateCA:
    def __init__(self, directory):
        now = datetime.datetime.now(datetime.timezone.utc)
        validity = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ddbcdc test CA")])
        ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
                   .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(validity[0]).not_valid_after(validity[1])
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                   .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
                .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(validity[0]).not_valid_after(validity[1])
                .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        self.ca_pem = directory / "ca.pem"
        self.server_pem = directory / "server.pem"
        self.server_key = directory / "server-key.pem"
        self.ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        self.server_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.server_key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))


class TLSProxy:
    def __init__(self, upstream, ca):
        host_port = upstream.split("://", 1)[1].rstrip("/")
        host, port = host_port.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(ca.server_pem, ca.server_key)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.endpoint = f"https://127.0.0.1:{self.listener.getsockname()[1]}"
        self.handshakes = 0
        self.failed = 0
        self.lock = threading.Lock()
        self.stopping = False

    def start(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self):
        self.stopping = True
        self.listener.close()

    def _accept(self):
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        client.settimeout(30)
        try:
            secure = self.context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            with self.lock:
                self.failed += 1
            client.close()
            return
        with self.lock:
            self.handshakes += 1
        upstream = socket.create_connection(self.upstream, timeout=30)

        def pump(source, target):
            try:
                while chunk := source.recv(65536):
                    target.sendall(chunk)
            except OSError:
                pass
            finally:
                for sock in (source, target):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pump, args=(upstream, secure), daemon=True)
        back.start()
        pump(secure, upstream)
        back.join(timeout=30)
        secure.close()
        upstream.close()
