"""Varnish in front of the cluster's balancer, with the project's VCL (deploy/varnish/)
and a site.vcl of the cluster's: the balancer as backend, loopback as purger and as the
front proxy whose X-Real-IP is believed."""

from cluster.processes import spawn
from tools.loopback import loopback_site_vcl


def start(cluster, home, deploy_dir, binary) -> None:
    directory = home / "varnish"
    directory.mkdir()
    (directory / "site.vcl").write_text(loopback_site_vcl(cluster.info["balancer"], timeouts=True))
    port = cluster.info["varnish"]
    command = [binary, "-F", "-j", "none", "-n", directory / "work", "-a", f"127.0.0.1:{port}"]
    command += ["-f", deploy_dir / "newsportal.vcl", "-p", f"vcl_path={directory}:{deploy_dir}"]
    command += ["-s", "malloc,256m"]
    cluster.daemons.append(spawn("varnish", command, port=port, log=directory / "varnish.log"))
