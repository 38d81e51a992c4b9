/// Which region a client talks to, found as the AWS CLI finds it.
public enum RegionResolver {
    /// The region: `flag` (a `--region` option), `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
    /// profile's `region` (`profile`, else `AWS_PROFILE`, else `default`); nil when none says.
    public static func region(flag: String?, environment: [String: String], profile: String?) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let region = environment["AWS_REGION"], !region.isEmpty { return region }
        if let region = environment["AWS_DEFAULT_REGION"], !region.isEmpty { return region }
        return ProfileCredentialProvider(environment: environment, profile: profile).region()
    }
}
